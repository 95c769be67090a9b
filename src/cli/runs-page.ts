import type { Client, RunJson } from "../client/index.ts";
import { runListedAt } from "../core/run-order.ts";

/** What `orch runs ls` filters by (the API's listing query without paging). */
export interface RunsLsFilter {
  deployment?: string;
  state?: string;
  tag?: string;
  since?: string;
  until?: string;
}

/** The rows `orch runs ls` shows, newest first, and whether more runs match than were shown. */
export interface RunsPage {
  runs: RunJson[];
  more: boolean;
}

/** When a run comes in the listing's order: the store's own rule (core's runListedAt). */
const at = (r: RunJson) => Date.parse(runListedAt(r) ?? "");

/**
 * A page of `limit` runs for `orch runs ls`. Without `planned`, the newest `limit` of what
 * happened. With it, the planned future comes first, but the limit keeps the SOONEST planned
 * runs (the next ones a user asks about), not the furthest ones that sort on top of a
 * newest-first listing; what happened fills the rest of the page.
 */
export async function runsPage(
  client: Client,
  filter: RunsLsFilter,
  limit: number,
  planned: boolean,
): Promise<RunsPage> {
  // One run more than shown tells whether more match (a full page always has a next cursor).
  const past = await client.listRuns({
    ...filter,
    planned: false,
    limit: Math.min(limit + 1, 1000),
  });
  const pastMore = past.runs.length > limit || (limit === 1000 && past.next !== null);
  past.runs = past.runs.slice(0, limit);
  const state = filter.state?.toUpperCase();
  if (!planned || (state !== undefined && state !== "SCHEDULED")) {
    return { runs: past.runs, more: pastMore };
  }
  const now = new Date().toISOString();
  const since = filter.since && filter.since > now ? filter.since : now;
  // The soonest planned runs in one request: the store reads them earliest first from `since`
  // (with one more than shown, to tell whether more are planned).
  const future = await client.listRuns({
    ...filter,
    state: "SCHEDULED",
    since,
    planned: true,
    order: "soonest",
    limit: Math.min(limit + 1, 1000),
  });
  const more = future.runs.length > limit || (limit === 1000 && future.next !== null);
  const soonest = future.runs.slice(0, limit);
  const ids = new Set(soonest.map((r) => r.id));
  const rest = past.runs.filter((r) => !ids.has(r.id));
  const runs = [...soonest, ...rest].sort((a, b) => at(b) - at(a)).slice(0, limit);
  return { runs, more: more || pastMore || soonest.length + rest.length > limit };
}
