/**
 * The runs page's list, as data: the runs loaded so far (newest first, page by page as the list
 * scrolls), the cursor of the next page, and how many the filter matches in all (so the
 * scrollbar is the whole list's from the start). Live changes go in at their place or leave.
 * Pure functions: the page holds one value and replaces it.
 */
import type { RunJson } from "../../../core/index.ts";
import { newestFirst } from "./run-filters.ts";

/** The loaded part of a filtered listing of runs. */
export interface RunsWindow {
  /** Loaded runs, newest first, each once. */
  rows: RunJson[];
  /** The next page's cursor; null: every matching run is loaded; undefined: nothing loaded yet. */
  next: string | null | undefined;
  /** How many runs match, as last counted (null: not counted yet). */
  total: number | null;
}

/** A listing with nothing loaded. */
export const EMPTY_WINDOW: RunsWindow = { rows: [], next: undefined, total: null };

/** A page of the listing taken in: the first replaces what was held, a later one is appended. */
export function withPage(
  window: RunsWindow,
  page: readonly RunJson[],
  next: string | null,
  first: boolean,
): RunsWindow {
  if (first) return { ...window, rows: dedupe(page), next };
  // A run that moved up since (it started) may come again further down: the held one stays.
  const held = new Set(window.rows.map((r) => r.id));
  return { ...window, rows: [...window.rows, ...page.filter((r) => !held.has(r.id))], next };
}

function dedupe(rows: readonly RunJson[]): RunJson[] {
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(r.id) && seen.add(r.id));
}

/**
 * A run that changed: kept at its place by time when it still `matches` the filter, dropped when
 * not. A matching run older than everything loaded, while more pages are to come, is left for
 * its page (so the loaded part stays a true prefix of the listing).
 */
export function withRun(window: RunsWindow, run: RunJson, matches: boolean): RunsWindow {
  const rows = window.rows.filter((r) => r.id !== run.id);
  const wasHeld = rows.length !== window.rows.length;
  if (!matches) return wasHeld ? { ...window, rows } : window;
  const last = rows.at(-1);
  if (window.next !== null && last && newestFirst(run, last) > 0) {
    return wasHeld ? { ...window, rows } : window;
  }
  let at = rows.findIndex((r) => newestFirst(run, r) < 0);
  if (at < 0) at = rows.length;
  return { ...window, rows: [...rows.slice(0, at), run, ...rows.slice(at)] };
}

/** A run the server deleted, gone from the list. */
export function withoutRun(window: RunsWindow, id: string): RunsWindow {
  const rows = window.rows.filter((r) => r.id !== id);
  return rows.length === window.rows.length ? window : { ...window, rows };
}

/** The count taken in. */
export function withTotal(window: RunsWindow, total: number): RunsWindow {
  return window.total === total ? window : { ...window, total };
}

/**
 * How many rows the list has: every loaded run, and, while pages remain, room for the rest of
 * the count (at least one row, where the next page shows as loading).
 */
export function rowCount(window: RunsWindow): number {
  if (window.next === null) return window.rows.length;
  return Math.max(window.rows.length + 1, window.total ?? 0);
}
