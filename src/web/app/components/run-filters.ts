/**
 * The runs page's filters: read from and written to the page's URL (so a link shows the same
 * runs), turned into the API's query, and checked against a run that changed live, the same way
 * the server's listing checks it.
 */
import type { RunJson } from "../../../core/index.ts";
import { isPlannedRun } from "../../../core/planned-run.ts";
import { runListedAt } from "../../../core/run-order.ts";

/** The time ranges the page offers, back from now. */
export const RANGES = {
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 604_800_000,
  "30d": 2_592_000_000,
};

/** A range's name (`24h`). */
export type RangeName = keyof typeof RANGES;

/** What the runs page lists. Every key is optional: none lists every run. */
export interface RunFilters {
  deployment?: string;
  state?: string;
  tag?: string;
  /** Free text: an id's start, or part of a name, deployment, flow or state message. */
  q?: string;
  /** A range back from now (`24h`); `since`/`until` give fixed ends instead. */
  range?: RangeName;
  since?: string;
  until?: string;
}

const KEYS = ["deployment", "state", "tag", "q", "range", "since", "until"] as const;

/** The filters in a page's query (unknown keys and empty values are ignored). */
export function filtersFromQuery(query: URLSearchParams): RunFilters {
  const filters: RunFilters = {};
  for (const key of KEYS) {
    const value = query.get(key)?.trim();
    if (!value) continue;
    if (key === "range") {
      if (value in RANGES) filters.range = value as RangeName;
    } else if (key === "state") {
      filters.state = value.toUpperCase();
    } else {
      filters[key] = value;
    }
  }
  return filters;
}

/** The filters as a page query (for href/navigate). */
export function filtersToQuery(filters: RunFilters): Record<string, string | undefined> {
  return Object.fromEntries(KEYS.map((k) => [k, filters[k] || undefined]));
}

/** The filters' time window in epoch ms, `now` placing a range. */
export function timeWindow(filters: RunFilters, now: number): { since?: number; until?: number } {
  if (filters.range) return { since: now - RANGES[filters.range] };
  const at = (text?: string) => {
    const ms = text ? Date.parse(text) : Number.NaN;
    return Number.isNaN(ms) ? undefined : ms;
  };
  return { since: at(filters.since), until: at(filters.until) };
}

/**
 * The API query of GET /api/runs (with `state`) or /api/runs/counts (without), as a string
 * starting with `?` (or empty).
 */
export function apiQuery(
  filters: RunFilters,
  now: number,
  extra: Record<string, string | number | undefined> = {},
  withState = true,
): string {
  const { since, until } = timeWindow(filters, now);
  const q = new URLSearchParams();
  const put = (k: string, v: string | number | undefined) => {
    if (v !== undefined && v !== "") q.set(k, String(v));
  };
  put("deployment", filters.deployment);
  if (withState) put("state", filters.state);
  put("tag", filters.tag);
  put("q", filters.q);
  put("since", since === undefined ? undefined : new Date(since).toISOString());
  put("until", until === undefined ? undefined : new Date(until).toISOString());
  for (const [k, v] of Object.entries(extra)) put(k, v);
  const text = q.toString();
  return text ? `?${text}` : "";
}

const ms = (iso: string | null) => (iso ? Date.parse(iso) : Number.NaN);

/** Where a run sits in the listings (core's runListedAt): when it is due, or ended unstarted. */
export function runTime(run: RunJson): number {
  return ms(runListedAt(run));
}

/** Newest first, as GET /api/runs lists them. */
export function newestFirst(a: RunJson, b: RunJson): number {
  // ISO times of one format compare as plain strings (localeCompare would set up a collator).
  const x = b.created_at ?? "";
  const y = a.created_at ?? "";
  return runTime(b) - runTime(a) || (x < y ? -1 : x > y ? 1 : 0);
}

/**
 * Whether GET /api/runs with these filters would list `run` now (without `ignoreState`, its
 * state counts too). Mirrors the store's listing: a schedule's planned future is left out.
 */
export function runMatches(
  run: RunJson,
  filters: RunFilters,
  now: number,
  ignoreState = false,
): boolean {
  if (filters.deployment !== undefined && run.deployment !== filters.deployment) return false;
  if (!ignoreState && filters.state !== undefined && run.state !== filters.state) return false;
  if (filters.tag !== undefined && !run.tags.includes(filters.tag)) return false;
  const { since, until } = timeWindow(filters, now);
  // A time window holds the runs for its times (their slot), as the server's listing does.
  const slot = ms(run.slot_at ?? run.scheduled_at);
  if (since !== undefined && !(slot >= since)) return false;
  if (until !== undefined && !(slot < until)) return false;
  if (isPlannedRun(run) && ms(run.scheduled_at) > now) return false;
  if (filters.q) {
    const q = filters.q.toLowerCase();
    const holds = (text: string | null | undefined) => !!text && text.toLowerCase().includes(q);
    if (
      !run.id.toLowerCase().startsWith(q) &&
      !holds(run.name) &&
      !holds(run.deployment) &&
      !holds(run.flow_name) &&
      !holds(run.state_message)
    ) {
      return false;
    }
  }
  return true;
}
