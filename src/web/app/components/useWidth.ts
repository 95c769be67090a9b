/** A hook for drawings that fit their box: the box's width, as it changes. */
import { useEffect, useRef, useState } from "preact/hooks";

/** The width of an element, as it changes. */
export function useWidth<T extends Element>(fallback: number) {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth || fallback));
    observer.observe(el);
    setWidth(el.clientWidth || fallback);
    return () => observer.disconnect();
  }, [fallback]);
  return { ref, width };
}
