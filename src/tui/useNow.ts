import { useEffect, useState } from "react";

/**
 * The time, re-rendering every `ms` only while `live` (a running run's duration is shown), and
 * once at `wakeAt` (a NEXT RUN falls due, or the reconnecting time ticks): an idle monitor
 * renders nothing until something changes or comes due.
 */
export function useNow(live: boolean, wakeAt: number | null = null, ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setNow(Date.now());
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [live, ms]);
  useEffect(() => {
    if (live || wakeAt === null) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.max(0, wakeAt - Date.now()) + 5);
    return () => clearTimeout(timer);
  }, [live, wakeAt]);
  return live ? now : Date.now();
}
