import type { Store } from "./open-store.ts";
import { type HeldBack, heldBackBy } from "./run-limits.ts";
import type { RunRow } from "./run-row.ts";
import { sqlite } from "./sqlite.ts";
import { ACTIVE } from "./state-sql.ts";

// What the late rule (scheduler/mark-late.ts) asks the store. Only runs named Scheduled (or
// Requeued: handed back by a lost worker, waiting for another) become Late: AwaitingRetry waits
// on purpose, and a Late run is Late already.
const ON_TIME = "state_type = 'SCHEDULED' AND state_name IN ('Scheduled', 'Requeued')";

/**
 * Waiting runs by time. Why named: left to itself, the planner reads these by state (the
 * listing's index), which holds every waiting run in no useful order, and reads all of them:
 * 50-120 ms at 10,000 planned runs, ten times that at 100,000, on the server's thread at each
 * wake-up. By time it reads only the due ones (or the first).
 */
export const BY_TIME = "flow_runs INDEXED BY flow_runs_scheduled";

/** Runs still waiting on time (named Scheduled or Requeued) due by `dueBy`, oldest first, 500 at most. */
export function runsToMarkLate(store: Store, dueBy: number): RunRow[] {
  return sqlite(store)
    .query(
      `SELECT * FROM ${BY_TIME} WHERE ${ON_TIME} AND scheduled_at <= ? ORDER BY scheduled_at LIMIT 500`,
    )
    .all(dueBy) as RunRow[];
}

/** When the earliest run still named Scheduled is due, or null: the late rule's next wake-up. */
export function earliestOnTimeRunAt(store: Store): number | null {
  const row = sqlite(store)
    .query(`SELECT min(scheduled_at) AS at FROM ${BY_TIME} WHERE ${ON_TIME}`)
    .get() as { at: number | null };
  return row.at;
}

/** What keeps a due run waiting, as far as the store can tell. */
export interface RunWait {
  poolPaused: boolean;
  queuePaused: boolean;
  /** Workers online for its pool, and their slots in all. */
  workers: number;
  slots: number;
  /** Active runs in its pool. */
  activeInPool: number;
  /** The concurrency limit that holds it back (the claim's own rule), or null. */
  heldBack: HeldBack | null;
}

/** The facts the late rule words its reason from, for one waiting run. */
export function runWait(store: Store, run: RunRow): RunWait {
  const db = sqlite(store);
  const pool = db
    .query("SELECT paused, concurrency_limit FROM work_pools WHERE name = ?")
    .get(run.work_pool) as { paused: number; concurrency_limit: number | null } | null;
  const queue = db
    .query("SELECT paused, concurrency_limit FROM work_queues WHERE pool = ? AND name = ?")
    .get(run.work_pool, run.work_queue) as {
    paused: number;
    concurrency_limit: number | null;
  } | null;
  const workers = db
    .query(
      "SELECT count(*) AS n, coalesce(sum(concurrency), 0) AS slots FROM workers WHERE status = 'online' AND pool = ?",
    )
    .get(run.work_pool) as { n: number; slots: number };
  const deploymentLimit =
    run.deployment_id === null
      ? null
      : ((
          db
            .query(
              "SELECT json_extract(spec, '$.concurrency.limit') AS n FROM deployment_versions WHERE deployment_id = ? AND version = ?",
            )
            .get(run.deployment_id, run.version) as { n: number | null } | null
        )?.n ?? null);
  const count = (where: string, ...args: (string | number)[]) =>
    (
      db.query(`SELECT count(*) AS n FROM flow_runs WHERE ${ACTIVE} AND ${where}`).get(...args) as {
        n: number;
      }
    ).n;
  const activeInPool = count("work_pool = ?", run.work_pool);
  const active = {
    pool: activeInPool,
    queue: count("work_pool = ? AND work_queue = ?", run.work_pool, run.work_queue),
    deployment: run.deployment_id === null ? 0 : count("deployment_id = ?", run.deployment_id),
  };
  return {
    poolPaused: Boolean(pool?.paused),
    queuePaused: Boolean(queue?.paused),
    workers: workers.n,
    slots: workers.slots,
    activeInPool,
    heldBack: heldBackBy(
      {
        pool: pool?.concurrency_limit ?? null,
        queue: queue?.concurrency_limit ?? null,
        deployment: deploymentLimit,
      },
      active,
    ),
  };
}
