import { recordEvent } from "./events.ts";
import { BY_TIME } from "./late-runs.ts";
import type { Store } from "./open-store.ts";
import type { RunRow } from "./run-row.ts";
import { sqlite } from "./sqlite.ts";
import { NEVER_STARTED, PLANNED } from "./state-sql.ts";

// What the scheduler asks the store about the runs it plans. A planned run is a schedule's run
// that never started (state-sql.ts PLANNED): a forecast, which planning may replace or remove.

/** What planning needs of a planned run: which slot and version it is, and how to delete it. */
export type PlannedRun = Pick<
  RunRow,
  "seq" | "id" | "deployment" | "version" | "idempotency_key" | "scheduled_at"
>;

/** A deployment's planned runs, only those due after `after` when given, soonest first. */
export function plannedRuns(store: Store, deploymentId: number, after?: number): PlannedRun[] {
  // Why these columns only: every deployment is planned twice at each start, and a whole row
  // (thirty-odd columns, parameters and tags as text) costs ten times as much to read. Why
  // sorted here and not by ORDER BY: with it, SQLite took 0.2-0.7 ms a call even when the
  // deployment had no planned run (a project's first start: 1.4 of 2.5 s of planning's reads
  // for 2,000 deployments), against a few microseconds without; a deployment has a few rows.
  const runs = sqlite(store)
    .query(
      `SELECT seq, id, deployment, version, idempotency_key, scheduled_at FROM flow_runs
       WHERE deployment_id = ? AND ${PLANNED} AND scheduled_at > ?`,
    )
    .all(deploymentId, after ?? Number.MIN_SAFE_INTEGER) as PlannedRun[];
  return runs.sort((a, b) => a.scheduled_at - b.scheduled_at);
}

/**
 * Delete planned runs. Why delete rather than cancel: a planned run is a forecast of the
 * schedule, not history; replacing it on every redeploy, pause or removal would otherwise fill
 * `runs ls` with CANCELLED rows nobody asked for. A run that started meanwhile (a worker took
 * it) is kept; their state and tag rows go with them (ON DELETE CASCADE); a flow-run.deleted
 * event tells live views. Call inside a transaction.
 */
export function deletePlannedRuns(store: Store, runs: readonly PlannedRun[]): void {
  const remove = sqlite(store).query(`DELETE FROM flow_runs WHERE seq = ? AND ${PLANNED}`);
  for (const run of runs) {
    if (remove.run(run.seq).changes > 0) {
      recordEvent(store, "flow-run.deleted", run.id, {
        deployment: run.deployment,
        scheduled_at: new Date(run.scheduled_at).toISOString(),
      });
    }
  }
}

/**
 * Names of deployments with a schedule slot in (`after`, `until`], whatever became of its run (a
 * worker may have claimed it already): those must plan further ahead.
 */
export function deploymentsWithSlotsIn(store: Store, after: number, until: number): string[] {
  const rows = sqlite(store)
    .query(
      `SELECT DISTINCT deployment FROM flow_runs
       WHERE created_by = 'schedule' AND scheduled_at > ? AND scheduled_at <= ?`,
    )
    .all(after, until) as { deployment: string }[];
  return rows.map((r) => r.deployment);
}

/**
 * The slot keys from `from` to `to` (both included) that have a run, in any state: one schedule's
 * slots (keys of one schedule sort by time), read at once rather than one lookup per slot.
 */
export function takenSlots(store: Store, from: string, to: string): Set<string> {
  const rows = sqlite(store)
    .query("SELECT idempotency_key AS key FROM flow_runs WHERE idempotency_key BETWEEN ? AND ?")
    .all(from, to) as { key: string }[];
  return new Set(rows.map((r) => r.key));
}

/** Whether a schedule slot (its idempotency key) has a run, in any state. */
export function slotTaken(store: Store, key: string): boolean {
  return sqlite(store).query("SELECT 1 FROM flow_runs WHERE idempotency_key = ?").get(key) !== null;
}

/** When the earliest waiting schedule run due after `after` is due, or null: the next wake-up. */
export function nextPlannedRunAt(store: Store, after: number): number | null {
  const row = sqlite(store)
    .query(
      `SELECT min(scheduled_at) AS at FROM ${BY_TIME}
       WHERE state_type = 'SCHEDULED' AND created_by = 'schedule' AND scheduled_at > ?`,
    )
    .get(after) as { at: number | null };
  return row.at;
}

/** The bounds of the slot keys of one schedule: every key starts with `prefix`. */
const keyRange = (prefix: string) => [prefix, `${prefix}\u{10FFFF}`] as const;

/**
 * The key of the latest slot of one schedule (keys `prefix…`, which sort by time) that was
 * handled: its run started, ended or was recorded as skipped. Catching up starts after it.
 */
export function lastHandledSlot(store: Store, prefix: string): string | null {
  const row = sqlite(store)
    .query(
      `SELECT idempotency_key FROM flow_runs WHERE idempotency_key > ? AND idempotency_key < ?
       AND NOT (${NEVER_STARTED}) ORDER BY idempotency_key DESC LIMIT 1`,
    )
    .get(...keyRange(prefix)) as { idempotency_key: string } | null;
  return row?.idempotency_key ?? null;
}

/**
 * One schedule's runs that never started, after slot key `afterKey` (all of them when null)
 * and due by `dueBy`, oldest first: the runs catching up keeps or skips.
 */
export function waitingSlotRuns(
  store: Store,
  prefix: string,
  afterKey: string | null,
  dueBy: number,
): RunRow[] {
  const [low, high] = keyRange(prefix);
  // Why materialized: left to itself, the planner reads every waiting run of every deployment
  // (by state) and filters by key, which made planning a project quadratic in its deployments
  // (1,000 took 20 s). The key range holds only this schedule's slots after the last handled one.
  return sqlite(store)
    .query(
      `WITH slots AS MATERIALIZED (
         SELECT * FROM flow_runs WHERE idempotency_key > ? AND idempotency_key < ?)
       SELECT * FROM slots WHERE ${NEVER_STARTED} AND scheduled_at <= ? ORDER BY scheduled_at`,
    )
    .all(afterKey ?? low, high, dueBy) as RunRow[];
}
