/** @jsxImportSource preact */
/**
 * A windowed list: rows of one height, of which only those in view (and a few around) are in the
 * DOM, so 10,000 runs or 100,000 log lines scroll as smoothly as 20. The scrollbar is the whole
 * list's: a spacer as tall as every row holds the rows in view, one after another, at their
 * place. Sizes and places are set through the DOM (style-ref.ts): in the server's first frame,
 * the rows are the first (or, for a followed list, the last) ones, in the stylesheet's sizes.
 */
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { styleRef } from "./style-ref.ts";

/** What the list needs: how many rows, how tall each is, and how to draw row `index`. */
export interface VirtualListProps {
  count: number;
  rowHeight: number;
  renderRow: (index: number) => ComponentChildren;
  /** Rows drawn beyond each edge of the view. */
  overscan?: number;
  /** Told the range of rows in view (first, last exclusive) whenever it changes. */
  onRange?: (first: number, last: number) => void;
  /** Keep the view at the bottom while rows are added (a followed log); scrolling up stops it. */
  follow?: boolean;
  /** Told when the user scrolls away from the bottom, or back to it. */
  onFollowChange?: (following: boolean) => void;
  class?: string;
  /** The box's height in pixels (default: its stylesheet's). */
  height?: number;
  testId?: string;
}

/** A scrolling box that draws only the rows in view. */
export function VirtualList(props: VirtualListProps) {
  const { count, rowHeight, renderRow, overscan = 8, onRange, follow, onFollowChange } = props;
  const box = useRef<HTMLDivElement | null>(null);
  // Before the box is measured: its top, or for a followed list its bottom, in a box as tall as
  // given (the server draws the same rows as the browser's first frame then does), with no rows
  // beyond it: the first frame draws only what a screen shows (fewer rows to lay out, paint and
  // rasterise before its first paint); the app adds the rest once it has measured the box.
  const [view, setView] = useState(() => {
    const height = props.height ?? 720;
    return { top: follow ? Math.max(0, count * rowHeight - height) : 0, height, measured: false };
  });
  const frame = useRef(0);
  const following = useRef(!!follow);

  const measure = useCallback(() => {
    const el = box.current;
    if (!el) return;
    setView((v) =>
      v.measured && v.top === el.scrollTop && v.height === el.clientHeight
        ? v
        : { top: el.scrollTop, height: el.clientHeight, measured: true },
    );
  }, []);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const resize = new ResizeObserver(measure);
    resize.observe(el);
    measure();
    return () => {
      resize.disconnect();
      cancelAnimationFrame(frame.current);
    };
  }, [measure]);

  const onScroll = () => {
    const el = box.current;
    if (el && follow !== undefined) {
      // Within a row of the bottom counts as at the bottom.
      const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight;
      if (atBottom !== following.current) {
        following.current = atBottom;
        onFollowChange?.(atBottom);
      }
    }
    // One measurement per frame, however many scroll events came.
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(measure);
  };

  // New rows (`count`) scroll a followed list.
  useLayoutEffect(() => {
    following.current = !!follow;
    const el = box.current;
    // Nothing to follow yet: no layout forced (reading scrollHeight lays the page out at once).
    if (follow && el && count) el.scrollTop = el.scrollHeight;
  }, [follow, count]);

  // A list followed at its end draws no rows above the view: its rows from the first in view
  // down are what a frame without the scroll (the server's) shows, where it shows them.
  const atEnd = following.current && view.top + view.height >= count * rowHeight - rowHeight;
  const beyond = view.measured ? overscan : 0;
  const first = Math.max(0, Math.floor(view.top / rowHeight) - (atEnd ? 0 : beyond));
  const last = Math.min(count, Math.ceil((view.top + view.height) / rowHeight) + beyond);

  useEffect(() => {
    onRange?.(first, last);
  }, [first, last, onRange]);

  const row = styleRef({ height: `${rowHeight}px` });
  const rows: ComponentChildren[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div key={i} class="vrow" ref={row}>
        {renderRow(i)}
      </div>,
    );
  }
  // The app's list scrolls (the server's frame does not: see runs.css).
  const sized = styleRef(
    props.height === undefined
      ? { overflow: "auto" }
      : { overflow: "auto", height: `${props.height}px` },
  );
  return (
    <div
      ref={(el) => {
        box.current = el;
        sized(el);
      }}
      class={`vlist ${props.class ?? ""}`}
      onScroll={onScroll}
      data-testid={props.testId}
      data-count={count}
    >
      <div class="vspacer" ref={styleRef({ height: `${count * rowHeight}px` })}>
        <div class="vwindow" ref={styleRef({ top: `${first * rowHeight}px` })}>
          {rows}
        </div>
      </div>
    </div>
  );
}
