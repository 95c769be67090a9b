/**
 * The runs page's data: a filtered listing loaded page by page as the list scrolls, its counts by
 * state, and live changes from the event stream (each changed run fetched again, in batches, and
 * put at its place or taken out). A new filter, or the stream opening again, starts over.
 */
import { useCallback, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { RunCounts, RunJson } from "../../../core/index.ts";
import { ApiError, get, getNow, getPage, seg } from "../api.ts";
import { FIRST_RUNS_PAGE, runCountsPath, runsPath } from "../first-data.ts";
import { subscribe } from "../live.ts";
import { type RunFilters, runMatches } from "./run-filters.ts";
import {
  EMPTY_WINDOW,
  type RunsWindow,
  withoutRun,
  withPage,
  withRun,
  withTotal,
} from "./runs-window.ts";

/** Runs per page of the listing. */
const PAGE = 200;
/** More changed runs than this in one batch: the first pages are listed again instead. */
const MANY = 40;
/** Live changes arriving within this window are fetched together. */
const BATCH_MS = 150;
/** Counts are asked again at most this often while changes come. */
const COUNT_MS = 500;

/** What the runs page shows and can ask for. */
export interface RunsData {
  window: RunsWindow;
  counts: RunCounts | null;
  error: ApiError | null;
  /** The rows in view reach `last`: load the next page if it is not there yet. */
  need: (last: number) => void;
}

/** A page of the listing, and the cursor of the next (null: the last page). */
async function listPage(filters: RunFilters, cursor: string | undefined, limit = PAGE) {
  const page = await getPage<RunJson[]>(runsPath(filters, limit, cursor));
  return { rows: page.body, next: page.headers.get("x-next-cursor") };
}

/** How many rows the listing has in all: the count of its state, or of every state. */
const totalOf = (filters: RunFilters, c: RunCounts) =>
  filters.state ? (c.states[filters.state as keyof RunCounts["states"]] ?? 0) : c.total;

/** The first page (and counts) when the boot script's answers are in already: drawn at once. */
function firstNow(filters: RunFilters): { window: RunsWindow; counts: RunCounts | null } | null {
  const page = getNow<RunJson[]>(runsPath(filters, FIRST_RUNS_PAGE));
  if (!page) return null;
  const counts = getNow<RunCounts>(runCountsPath(filters))?.body ?? null;
  const window = withPage(EMPTY_WINDOW, page.body, page.next, true);
  return { window: counts ? withTotal(window, totalOf(filters, counts)) : window, counts };
}

/** The listing of `filters`, following the server; `key` names the filters. */
export function useRunsWindow(filters: RunFilters, key: string): RunsData {
  const first = useRef<ReturnType<typeof firstNow> | undefined>(undefined);
  if (first.current === undefined) first.current = firstNow(filters);
  const [window, setWindow] = useState<RunsWindow>(() => first.current?.window ?? EMPTY_WINDOW);
  const [counts, setCounts] = useState<RunCounts | null>(() => first.current?.counts ?? null);
  const [error, setError] = useState<ApiError | null>(null);
  const held = useRef(window);
  const need = useRef<(last: number) => void>(() => {});

  // A layout effect: the first page is asked for as the list is first drawn, not a frame later
  // (an effect waits for the next animation frame, which a busy machine makes long).
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names the filters
  useLayoutEffect(() => {
    // Each listing from the top is numbered; the window's pages and live changes belong to the
    // newest (`generation`), and an older answer still shows if nothing newer has (`shown`).
    let generation = 0;
    let shown = 0;
    let countsShown = 0;
    let alive = true;
    let loading = false;
    // The furthest row the list has shown: after a page lands, pages follow until it is loaded
    // (a scrollbar dragged to the end asks once, then waits).
    let wanted = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let countTimer: ReturnType<typeof setTimeout> | undefined;
    let lastCount = 0;
    const changed = new Set<string>();
    const deleted = new Set<string>();
    const set = (next: RunsWindow) => {
      held.current = next;
      setWindow(next);
    };
    const showError = (gen: number) => (e: unknown) => {
      if (!alive || gen !== generation) return;
      setError(e instanceof ApiError ? e : new ApiError(0, "E_INTERNAL", String(e)));
    };
    /** A page did not load: say so, and let the next scroll ask again. */
    const failed = (gen: number) => (e: unknown) => {
      if (gen === generation) loading = false;
      showError(gen)(e);
    };
    const total = (c: RunCounts) => totalOf(filters, c);
    let countSeq = 0;
    const count = () => {
      const gen = generation;
      const mine = ++countSeq;
      lastCount = Date.now();
      get<RunCounts>(runCountsPath(filters)).then((c) => {
        if (!alive || mine < countsShown) return;
        countsShown = mine;
        setCounts(c);
        set(withTotal(held.current, total(c)));
      }, showError(gen));
    };
    const countSoon = () => {
      if (countTimer) return;
      countTimer = setTimeout(
        () => {
          countTimer = undefined;
          count();
        },
        Math.max(0, COUNT_MS - (Date.now() - lastCount)),
      );
    };
    const loadFirst = (limit = FIRST_RUNS_PAGE) => {
      const gen = ++generation;
      wanted = 0;
      loading = true;
      count();
      listPage(filters, undefined, limit).then(({ rows, next }) => {
        if (!alive || gen < shown) return;
        shown = gen;
        if (gen === generation) loading = false;
        setError(null);
        set(withPage(held.current, rows, next, true));
      }, failed(gen));
    };
    need.current = (last) => {
      wanted = Math.max(wanted, last);
      const w = held.current;
      if (loading || typeof w.next !== "string" || wanted < w.rows.length - PAGE / 4) return;
      const gen = generation;
      loading = true;
      // Far below what is loaded: larger pages, so the end of 10,000 runs is a few requests away.
      const limit = Math.min(1000, Math.max(PAGE, wanted - w.rows.length + PAGE));
      listPage(filters, w.next, limit).then(({ rows, next }) => {
        if (!alive || gen !== generation) return;
        loading = false;
        set(withPage(held.current, rows, next, false));
        need.current(wanted);
      }, failed(gen));
    };
    const flush = async () => {
      timer = undefined;
      const gen = generation;
      for (const id of deleted) set(withoutRun(held.current, id));
      deleted.clear();
      const ids = [...changed];
      changed.clear();
      countSoon();
      if (ids.length > MANY) {
        loadFirst(Math.min(1000, Math.max(PAGE, held.current.rows.length)));
        return;
      }
      const runs = await Promise.all(
        ids.map((id) => get<RunJson>(`/api/runs/${seg(id)}`).catch(() => null)),
      );
      if (!alive || gen !== generation) return;
      let next = held.current;
      const now = Date.now();
      for (const [i, run] of runs.entries()) {
        if (run) next = withRun(next, run, runMatches(run, filters, now));
        else next = withoutRun(next, ids[i]!);
      }
      set(next);
    };
    // What the first frame showed (the boot script's answers) is the listing until the stream
    // opens; otherwise the listing starts empty.
    const early = first.current;
    first.current = null;
    if (!early) {
      set(EMPTY_WINDOW);
      setCounts(null);
    } else if (!early.counts) count();
    let following = false;
    const unsubscribe = subscribe({
      prefixes: ["flow-run."],
      onEvent: (event) => {
        if (!event.resource) return;
        if (event.name === "flow-run.deleted") deleted.add(event.resource);
        else changed.add(event.resource);
        timer ??= setTimeout(() => void flush(), BATCH_MS);
      },
      onReload: () => {
        following = true;
        loadFirst();
      },
    });
    // While the stream opens (two round trips), the first page is already on its way: it shows
    // at once, and the listing read once the stream is open replaces it.
    if (!following && !early) loadFirst();
    return () => {
      alive = false;
      clearTimeout(timer);
      clearTimeout(countTimer);
      unsubscribe();
    };
  }, [key]);

  const ask = useCallback((last: number) => need.current(last), []);
  return { window, counts, error, need: ask };
}
