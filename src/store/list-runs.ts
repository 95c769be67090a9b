import type { StateName, StateType } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import type { RunRow } from "./run-row.ts";
import { sqlite } from "./sqlite.ts";

export interface RunFilter {
  deployment?: string;
  state?: StateType;
  /** Only runs in this state name (of `state`): `Late`, `AwaitingRetry`… */
  stateName?: StateName;
  tag?: string;
  limit?: number;
  /** Return the runs after this one in the listing's order (the previous page's last). */
  before?: RunCursor;
  /** Latest first (the default), or earliest first: `soonest` with the planned future, its next runs. */
  order?: "newest" | "soonest";
  /** Only runs for this time or after (their slot; epoch ms). */
  since?: number;
  /** Only runs for a time before this (their slot; epoch ms). */
  until?: number;
  /** Leave out runs a schedule planned for after this time (the future), keeping what happened. */
  plannedAfter?: number;
  /**
   * Only runs whose id starts with this text, or whose name, deployment, flow name or state
   * message holds it (case-insensitive for ASCII letters).
   */
  text?: string;
}

/**
 * Where a run sits in the listings: when it is due to start, or for a run that ended without
 * starting (a cancelled future slot), when it ended (core's runListedAt, kept as listed_at).
 * Runs are listed by it, newest first; the planned future would sort on top, so listings of what
 * happened leave it out (plannedAfter). Indexed with seq (migration 25).
 */
const RUN_TIME = "r.listed_at";

/** Where a page of runs ends: the last run's time and seq. */
export interface RunCursor {
  at: number;
  seq: number;
}

/** The cursor after `row`, as text for the API. */
export function runCursor(row: RunRow): string {
  return `${row.listed_at}.${row.seq}`;
}

/** A cursor from its text, or null when it is not one. */
export function parseRunCursor(text: string): RunCursor | null {
  const m = /^(-?\d+)\.(\d+)$/.exec(text);
  return m ? { at: Number(m[1]), seq: Number(m[2]) } : null;
}

/**
 * How a tag filter reads: from the tag's own runs (sorted afterwards), or along the listing's
 * time index, checking each run for the tag until the page is full.
 */
export type TagPath = "from-tag" | "along-time";

/**
 * The cheaper path for a page of `limit` runs with `tag`. Along the time index a page costs
 * about limit * runs / tagged rows read; from the tag, every tagged run is read and sorted. The
 * two meet at tagged = sqrt(limit * runs), so the tag's runs are counted up to that many (a
 * bounded probe of its index; max(seq) stands for the number of runs). SQLite's planner cannot
 * tell a rare tag from a common one, and took the tag's side for both: a tag on one run in ten
 * of a million cost over a second a page.
 */
export function tagPath(store: Store, tag: string, limit: number): TagPath {
  const db = sqlite(store);
  const runs = (db.query("SELECT max(seq) AS n FROM flow_runs").get() as { n: number | null }).n;
  const bound = Math.max(100, Math.ceil(Math.sqrt(limit * (runs ?? 0))));
  const tagged = (
    db
      .query("SELECT count(*) AS n FROM (SELECT 1 FROM flow_run_tags WHERE tag = ? LIMIT ?)")
      .get(tag, bound) as { n: number }
  ).n;
  return tagged < bound ? "from-tag" : "along-time";
}

/** The conditions of `filter` (without paging) as SQL over `flow_runs r`, and their arguments. */
function runConditions(
  filter: RunFilter,
  tag: TagPath = "from-tag",
): { where: string[]; args: (string | number)[] } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (filter.deployment !== undefined) {
    where.push("r.deployment = ?");
    args.push(filter.deployment);
  }
  if (filter.state) {
    where.push("r.state_type = ?");
    args.push(filter.state);
  }
  if (filter.stateName) {
    where.push("r.state_name = ?");
    args.push(filter.stateName);
  }
  if (filter.tag !== undefined) {
    where.push(
      tag === "from-tag"
        ? "r.seq IN (SELECT run_seq FROM flow_run_tags WHERE tag = ?)"
        : "EXISTS (SELECT 1 FROM flow_run_tags t WHERE t.tag = ? AND t.run_seq = r.seq)",
    );
    args.push(filter.tag);
  }
  // A time range means the time a run is for: its schedule's or backfill's slot (a backfill's
  // runs are due when it feeds them, days after the slot they process), its first due time else.
  if (filter.since !== undefined) {
    where.push("coalesce(r.slot_at, r.scheduled_at) >= ?");
    args.push(filter.since);
  }
  if (filter.until !== undefined) {
    where.push("coalesce(r.slot_at, r.scheduled_at) < ?");
    args.push(filter.until);
  }
  if (filter.plannedAfter !== undefined) {
    where.push(
      // core's isPlannedRun: a schedule's run waiting for its retry has begun, and is listed.
      "NOT (r.created_by = 'schedule' AND r.state_type = 'SCHEDULED' AND r.state_name = 'Scheduled' AND r.scheduled_at > ?)",
    );
    args.push(filter.plannedAfter);
  }
  if (filter.text !== undefined && filter.text !== "") {
    // Literal text: LIKE's own wildcards in it are escaped.
    const literal = filter.text.replace(/[\\%_]/g, (c) => `\\${c}`);
    const inside = `%${literal}%`;
    where.push(
      `(r.id LIKE ? ESCAPE '\\' OR r.name LIKE ? ESCAPE '\\' OR r.deployment LIKE ? ESCAPE '\\'
        OR r.flow_name LIKE ? ESCAPE '\\' OR r.state_message LIKE ? ESCAPE '\\')`,
    );
    args.push(`${literal}%`, inside, inside, inside, inside);
  }
  return { where, args };
}

/** How many runs a page holds: 50 unless asked, 1 to 1,000. */
const pageSize = (filter: RunFilter) => Math.max(1, Math.min(filter.limit ?? 50, 1000));

/**
 * The SQL of a listing and its arguments: runs by when they happened (RUN_TIME), newest first
 * (or soonest first), filtered. An index serves each filter (test/store/list-runs-plan.test.ts reads the plans).
 */
export function listRunsQuery(
  filter: RunFilter = {},
  tag: TagPath = "from-tag",
): { sql: string; args: (string | number)[] } {
  const { where, args } = runConditions(filter, tag);
  const soonest = filter.order === "soonest";
  if (soonest && filter.state === "SCHEDULED" && filter.since !== undefined) {
    // Implied by the slot's bound: a run waiting to start is due at its slot or later (a
    // backfill's, a retry's), and listed when it is due. It lets SQLite seek the index at
    // `since`, not read a deployment's whole past to reach its next runs.
    where.push(`${RUN_TIME} >= ?`);
    args.push(filter.since);
  }
  if (filter.before !== undefined) {
    // The first term is implied by the second; it lets SQLite seek the index instead of scanning.
    const [edge, past] = soonest ? [">=", ">"] : ["<=", "<"];
    where.push(`${RUN_TIME} ${edge} ? AND (${RUN_TIME}, r.seq) ${past} (?, ?)`);
    args.push(filter.before.at, filter.before.at, filter.before.seq);
  }
  const way = soonest ? "ASC" : "DESC";
  const sql = `SELECT r.* FROM flow_runs r ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY ${RUN_TIME} ${way}, r.seq ${way} LIMIT ?`;
  args.push(pageSize(filter));
  return { sql, args };
}

/** Runs by when they happened (RUN_TIME), newest first, filtered; an index serves each filter. */
export function listRuns(store: Store, filter: RunFilter = {}): RunRow[] {
  const tag = filter.tag === undefined ? undefined : tagPath(store, filter.tag, pageSize(filter));
  const { sql, args } = listRunsQuery(filter, tag);
  return sqlite(store)
    .query(sql)
    .all(...args) as RunRow[];
}

/** How many runs match `filter` (its paging ignored), by state type. */
export function countRunsByState(
  store: Store,
  filter: Omit<RunFilter, "state" | "stateName" | "limit" | "before"> = {},
): Partial<Record<StateType, number>> {
  const { where, args } = runConditions(filter);
  const rows = sqlite(store)
    .query(
      `SELECT r.state_type AS state, count(*) AS n FROM flow_runs r
        ${where.length ? `WHERE ${where.join(" AND ")}` : ""} GROUP BY r.state_type`,
    )
    .all(...args) as { state: StateType; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}
