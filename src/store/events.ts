import { type EventJson, iso } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import type { RunRow } from "./run-row.ts";
import { sqlite } from "./sqlite.ts";

/** An event as stored. */
export interface EventRow {
  id: number;
  name: string;
  resource: string | null;
  payload: string;
  at: number;
  /**
   * A run's state event, as its listeners get it: the run as this change left it (never
   * stored), so a listener need not read it back for every run.
   */
  run?: RunRow;
}

/** The JSON shape of a stored event. */
export function eventToJson(row: EventRow): EventJson {
  return {
    id: row.id,
    name: row.name,
    resource: row.resource,
    payload: JSON.parse(row.payload),
    at: iso(row.at)!,
  };
}

/**
 * Record an event (in the caller's transaction, if any) and publish it once committed. `at`
 * defaults to now; a change that stamps its own time passes that, so the event and the change
 * it reports carry one time (a run's retry wait is its due time less the event's). A run's change
 * passes the run as it left it, for the listeners (see EventRow.run).
 */
export function recordEvent(
  store: Store,
  name: string,
  resource: string | null,
  payload: Record<string, unknown> = {},
  at: number = store.clock.now(),
  run?: RunRow,
): EventRow {
  // Why no RETURNING: SQLite's RETURNING costs several times the insert itself here, and the
  // row is known but for its id (planning a large project records one event per run).
  const text = JSON.stringify(payload);
  const { lastInsertRowid } = sqlite(store)
    .query("INSERT INTO events (name, resource, payload, at) VALUES (?, ?, ?, ?)")
    .run(name, resource, text, at);
  const row: EventRow = { id: Number(lastInsertRowid), name, resource, payload: text, at };
  if (run) row.run = run;
  store.publish(row);
  return row;
}

/** A name pattern with `*` wildcards as an SQLite GLOB (its other special characters made literal). */
function toGlob(pattern: string): string {
  return pattern.replace(/[[?]/g, (c) => `[${c}]`);
}

/**
 * The first event id from which events were recorded at or after `at` (epoch ms); one past the
 * newest when none was. Why no index by time: events are numbered as they are recorded and
 * stamped when recorded, so their ids follow their times, and a binary search along the ids
 * (a few dozen lookups by id at millions of events) finds where a time begins. Stamps may go
 * back a little (a change stamped when it happened, written a few milliseconds later; a clock
 * set back): a caller that must not miss one searches from earlier (SINCE_SLACK_MS) and checks
 * each event's time too, and one that deletes checks each time it deletes.
 */
export function eventsSince(store: Store, at: number): number {
  const db = sqlite(store);
  const first = db.query("SELECT id, at FROM events WHERE id >= ? ORDER BY id LIMIT 1");
  const bounds = db.query("SELECT min(id) AS lo, max(id) AS hi FROM events").get() as {
    lo: number | null;
    hi: number | null;
  };
  if (bounds.lo === null || bounds.hi === null) return 1;
  // The smallest id in [lo, hi + 1] whose first event at or after it was recorded at `at` or later.
  let lo = bounds.lo;
  let hi = bounds.hi + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = first.get(mid) as { id: number; at: number } | null;
    if (!row || row.at >= at) hi = mid;
    else lo = row.id + 1;
  }
  return lo;
}

/** How much earlier than asked a listing by time starts looking (see eventsSince). */
export const SINCE_SLACK_MS = 60_000;

/** Names of the events every run records, left out of the index by name (migration 27). */
const UNINDEXED_NAMES = ["flow-run.scheduled", "flow-run.pending", "flow-run.running"];
/** The index's condition, which a query must repeat for SQLite to read along it. */
const INDEXED_NAME = `name NOT IN (${UNINDEXED_NAMES.map((n) => `'${n}'`).join(", ")})`;
/** Counts the unindexed names a filter (the WHERE that follows) matches. */
const UNINDEXED_MATCHING = `SELECT count(*) AS n FROM (SELECT column1 AS name FROM (VALUES ${UNINDEXED_NAMES.map((n) => `('${n}')`).join(", ")})) WHERE `;

/** What listEvents filters by. */
export interface EventFilter {
  prefix?: string;
  name?: string;
  since?: number;
  limit?: number;
}

/**
 * Recent events, newest first: by name prefix (`deployment.`), by name pattern (`flow-run.*`,
 * `webhook.deploy`), and recorded at or after `since` (epoch ms).
 */
export function listEvents(store: Store, options: EventFilter = {}): EventRow[] {
  const { sql, args } = listEventsQuery(store, options);
  return sqlite(store)
    .query(sql)
    .all(...args) as EventRow[];
}

/** listEvents' query and its arguments (tests read its plan). */
export function listEventsQuery(
  store: Store,
  options: EventFilter,
): { sql: string; args: (string | number)[] } {
  const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (options.prefix) {
    where.push("name >= ? AND name < ?");
    args.push(options.prefix, `${options.prefix}\u{10FFFF}`);
  }
  if (options.name) {
    where.push("name GLOB ?");
    args.push(toGlob(options.name));
  }
  if (where.length) {
    // A filter that no run's frequent event can match reads along the index by name, whose
    // condition the query must repeat word for word for SQLite to use it. One that can match
    // them reads newest first by id: every run has those events, so a page fills soon.
    const frequent = sqlite(store)
      .query(UNINDEXED_MATCHING + where.join(" AND "))
      .get(...args) as { n: number };
    if (frequent.n === 0) where.push(INDEXED_NAME);
  }
  if (options.since !== undefined) {
    where.push("id >= ? AND at >= ?");
    args.push(eventsSince(store, options.since - SINCE_SLACK_MS), options.since);
  }
  const sql = `SELECT * FROM events ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
  return { sql, args: [...args, limit] };
}
