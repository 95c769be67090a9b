import { formatDuration } from "../core/index.ts";
import { type RunRow, type Store, transitionRun } from "../store/index.ts";

/**
 * The late rule: a run still SCHEDULED (named Scheduled) `lateAfterMs` after its time gets the
 * sub-state Late, once, with the reason when one is known, so `runs ls` shows why it waits.
 * AwaitingRetry runs keep their name: their wait is deliberate. A Late run still starts as soon
 * as a worker claims it; Late only says what happened. Returns the runs marked.
 */
export function markLateRuns(store: Store, now: number, lateAfterMs: number): RunRow[] {
  return store.tx(() => {
    const due = store.db
      .query(
        `SELECT * FROM flow_runs WHERE state_type = 'SCHEDULED' AND state_name = 'Scheduled'
         AND scheduled_at <= ? ORDER BY scheduled_at LIMIT 500`,
      )
      .all(now - lateAfterMs) as RunRow[];
    return due.map(
      (run) =>
        transitionRun(store, run.id, {
          type: "SCHEDULED",
          name: "Late",
          message: `late: not started ${formatDuration(now - run.scheduled_at)} after its time; ${lateReason(store, run)}`,
        }).run,
    );
  });
}

/** When the earliest run that may become Late does, or null when none can. */
export function nextLateAt(store: Store, lateAfterMs: number): number | null {
  const row = store.db
    .query(
      "SELECT min(scheduled_at) AS at FROM flow_runs WHERE state_type = 'SCHEDULED' AND state_name = 'Scheduled'",
    )
    .get() as { at: number | null };
  return row.at === null ? null : row.at + lateAfterMs;
}

const ACTIVE = "state_type IN ('PENDING', 'RUNNING', 'CANCELLING', 'PAUSED')";

/** Why a due run has not started, as far as the store can tell. */
export function lateReason(store: Store, run: RunRow): string {
  const db = store.db;
  const pool = db
    .query("SELECT paused, concurrency_limit FROM work_pools WHERE name = ?")
    .get(run.work_pool) as { paused: number; concurrency_limit: number | null } | null;
  if (pool?.paused) return `its work pool ${run.work_pool} is paused`;
  const queue = db
    .query("SELECT paused, concurrency_limit FROM work_queues WHERE pool = ? AND name = ?")
    .get(run.work_pool, run.work_queue) as {
    paused: number;
    concurrency_limit: number | null;
  } | null;
  if (queue?.paused) return `its work queue ${run.work_pool}/${run.work_queue} is paused`;
  const workers = db
    .query(
      "SELECT count(*) AS n, coalesce(sum(concurrency), 0) AS slots FROM workers WHERE status = 'online' AND pool = ?",
    )
    .get(run.work_pool) as { n: number; slots: number };
  if (workers.n === 0) {
    return `no worker is online for work pool ${run.work_pool} (start one: orch worker --pool ${run.work_pool})`;
  }
  if (run.deployment_id !== null) {
    const limit = db
      .query(
        "SELECT json_extract(spec, '$.concurrency.limit') AS n FROM deployment_versions WHERE deployment_id = ? AND version = ?",
      )
      .get(run.deployment_id, run.version) as { n: number | null } | null;
    if (limit?.n != null) {
      const active = count(store, `deployment_id = ${Number(run.deployment_id)}`);
      if (active >= limit.n) {
        return `deployment ${run.deployment} is at its concurrency limit (${active} of ${limit.n} runs active)`;
      }
    }
  }
  const inPool = count(store, "work_pool = ?", run.work_pool);
  if (pool?.concurrency_limit != null && inPool >= pool.concurrency_limit) {
    return `work pool ${run.work_pool} is at its concurrency limit (${inPool} of ${pool.concurrency_limit} runs active)`;
  }
  if (queue?.concurrency_limit != null) {
    const inQueue = count(store, "work_pool = ? AND work_queue = ?", run.work_pool, run.work_queue);
    if (inQueue >= queue.concurrency_limit) {
      return `work queue ${run.work_pool}/${run.work_queue} is at its concurrency limit (${inQueue} of ${queue.concurrency_limit} runs active)`;
    }
  }
  if (inPool >= workers.slots) {
    return `every worker of work pool ${run.work_pool} is busy (${inPool} runs active, ${workers.slots} slots)`;
  }
  return "no worker has claimed it yet";
}

function count(store: Store, where: string, ...args: string[]): number {
  return (
    store.db
      .query(`SELECT count(*) AS n FROM flow_runs WHERE ${ACTIVE} AND ${where}`)
      .get(...args) as {
      n: number;
    }
  ).n;
}
