import { useEffect, useState } from "react";

/**
 * The time, re-rendering every `ms` only while `live` (a running run's duration is shown): an idle
 * monitor renders nothing until something changes.
 */
export function useNow(live: boolean, ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setNow(Date.now());
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [live, ms]);
  return live ? now : Date.now();
}
