import type { Store } from "./open-store.ts";
import { heldBackBy, type RunLimits } from "./run-limits.ts";
import type { RunRow } from "./run-row.ts";
import { sqlite } from "./sqlite.ts";
import { ACTIVE } from "./state-sql.ts";
import { transitionRun } from "./transition-run.ts";

/** What a worker asks for: runs of its pool, at most `limit` (its free slots). */
export interface ClaimRequest {
  pool: string;
  workerId: string;
  limit: number;
}

/** What a claim did. */
export interface ClaimResult {
  /** Runs now PENDING for this worker, in the order they should start. */
  claimed: RunRow[];
  /** Runs moved to CANCELLED by a deployment's `cancel-new` collision strategy. */
  cancelled: RunRow[];
  /** The earliest scheduled_at still in the future for this pool, to wake up at; or null. */
  nextDueAt: number | null;
  /**
   * Whether due runs were left unclaimed (no free slot, a limit held them back, the pool is
   * paused): once a slot frees, one of them may start. False when every due run was taken.
   */
  more: boolean;
}

interface Candidate {
  id: string;
  deployment: string | null;
  deployment_id: number | null;
  work_queue: string;
  queue_limit: number | null;
  dep_limit: number | null;
  collision: string | null;
}

/**
 * Claim the next due runs of a pool for a worker.
 *
 * Why it works this way: SQLite has one writer, so the whole claim is one IMMEDIATE transaction
 * (store.tx): it holds the write lock from its first statement, so the counts of active runs it
 * reads are still true when it moves runs to PENDING, and two claimers can never take the same
 * run or both take the last slot of a limit. Candidates (SCHEDULED, due, in an unpaused queue)
 * are read in queue priority, then scheduled_at order, backfills' runs after all others; each
 * is checked against the limits as counted so far (the worker's free slots, then heldBackBy:
 * the pool's and the queue's concurrency_limit, the deployment version's `concurrency`), and
 * counts grow as runs are taken, so a burst never overshoots. A run held back by its queue's or deployment's limit is skipped,
 * not waited on, so it cannot block runs behind it; with `collision: cancel-new` it is cancelled
 * instead.
 * Decisions are made while reading and applied after, through transitionRun.
 */
export function claimRuns(store: Store, request: ClaimRequest): ClaimResult {
  return store.tx(() => {
    const now = store.clock.now();
    const db = sqlite(store);
    const claimed: RunRow[] = [];
    const cancelled: RunRow[] = [];
    // The pool is bound as `+?`: a plain `?` compared with a column of flow_runs makes SQLite
    // compile the statement again on every call (it checks the bound value against the partial
    // indexes' conditions, so each new binding expires the plan), which cost more than the
    // query; `+?` is the same value, and the index is still used.
    const nextDueAt = () =>
      (
        db
          .query(
            "SELECT min(scheduled_at) AS at FROM flow_runs WHERE state_type = 'SCHEDULED' AND work_pool = +? AND scheduled_at > ? AND created_by IS NOT 'ad-hoc'",
          )
          .get(request.pool, now) as { at: number | null }
      ).at;

    const pool = db
      .query("SELECT concurrency_limit, paused FROM work_pools WHERE name = ?")
      .get(request.pool) as { concurrency_limit: number | null; paused: number } | null;
    if (pool?.paused || request.limit <= 0)
      return { claimed, cancelled, nextDueAt: nextDueAt(), more: true };

    const counts = db
      .query(
        `SELECT work_pool, work_queue, deployment_id, count(*) AS n FROM flow_runs
         WHERE ${ACTIVE} GROUP BY work_pool, work_queue, deployment_id`,
      )
      .all() as {
      work_pool: string;
      work_queue: string;
      deployment_id: number | null;
      n: number;
    }[];
    let poolActive = 0;
    const queueActive = new Map<string, number>();
    const deploymentActive = new Map<number, number>();
    for (const c of counts) {
      if (c.deployment_id !== null) {
        deploymentActive.set(c.deployment_id, (deploymentActive.get(c.deployment_id) ?? 0) + c.n);
      }
      if (c.work_pool !== request.pool) continue;
      poolActive += c.n;
      queueActive.set(c.work_queue, (queueActive.get(c.work_queue) ?? 0) + c.n);
    }
    // The worker's free slots; the pool's limit is one of the run limits checked below.
    let room = request.limit;
    const poolLimit = pool?.concurrency_limit ?? null;

    let more = false;
    const take: Candidate[] = [];
    const refuse: { candidate: Candidate; active: number }[] = [];
    // One pass per queue priority, best first; within one, the claim index gives due runs in
    // scheduled_at order without sorting the backlog. Runs of a queue with no row count as
    // priority 1, the default.
    const levels = new Set([1]);
    for (const { priority } of db
      .query("SELECT DISTINCT priority FROM work_queues WHERE pool = +?")
      .all(request.pool) as { priority: number }[]) {
      levels.add(priority);
    }
    const candidates = db.query(
      `SELECT r.id, r.deployment, r.deployment_id, r.work_queue,
         q.concurrency_limit AS queue_limit,
         json_extract(v.spec, '$.concurrency.limit') AS dep_limit,
         json_extract(v.spec, '$.concurrency.collision') AS collision
       FROM flow_runs r INDEXED BY flow_runs_claim
       LEFT JOIN work_queues q ON q.pool = r.work_pool AND q.name = r.work_queue
       LEFT JOIN deployment_versions v
         ON v.deployment_id = r.deployment_id AND v.version = r.version
       WHERE r.state_type = 'SCHEDULED' AND r.work_pool = +? AND r.scheduled_at <= ?
         AND r.created_by IS NOT 'ad-hoc'
         AND coalesce(q.paused, 0) = 0 AND coalesce(q.priority, 1) = ?
         AND (r.backfill_id IS NOT NULL) = ?
       ORDER BY r.scheduled_at, r.seq`,
    );
    // Backfills' runs come after every other due run, whatever their queue: a backfill of a
    // year of slots must never hold back tonight's scheduled run (it yields to it).
    const sorted = [...levels].sort((a, b) => a - b);
    const passes = [0, 1].flatMap((backfill) => sorted.map((level) => ({ level, backfill })));
    claiming: for (const { level, backfill } of passes) {
      for (const c of candidates.iterate(
        request.pool,
        now,
        level,
        backfill,
      ) as IterableIterator<Candidate>) {
        if (room <= 0) {
          more = true;
          break claiming;
        }
        const inQueue = queueActive.get(c.work_queue) ?? 0;
        const inDeployment =
          c.deployment_id === null ? 0 : (deploymentActive.get(c.deployment_id) ?? 0);
        const held = heldBackBy(
          { pool: poolLimit, queue: c.queue_limit, deployment: c.dep_limit },
          { pool: poolActive, queue: inQueue, deployment: inDeployment },
        );
        // The pool's limit holds back every run left: nothing more to claim.
        if (held?.by === "pool") {
          more = true;
          break claiming;
        }
        if (held) {
          if (held.by === "deployment" && c.collision === "cancel-new") {
            refuse.push({ candidate: c, active: inDeployment });
          } else more = true;
          continue;
        }
        take.push(c);
        poolActive++;
        room--;
        queueActive.set(c.work_queue, inQueue + 1);
        if (c.deployment_id !== null) deploymentActive.set(c.deployment_id, inDeployment + 1);
      }
    }

    for (const c of take) {
      claimed.push(
        transitionRun(store, c.id, { type: "PENDING" }, { workerId: request.workerId }).run,
      );
    }
    for (const { candidate: c, active } of refuse) {
      const message = `cancelled: deployment ${c.deployment} already has ${active} active ${active === 1 ? "run" : "runs"} (limit ${c.dep_limit}, collision cancel-new)`;
      cancelled.push(transitionRun(store, c.id, { type: "CANCELLED", message }).run);
    }
    return { claimed, cancelled, nextDueAt: nextDueAt(), more };
  });
}

/**
 * Whether `made`, a run being created, may be claimed as it is made (makeRun): it is due and not
 * an ad-hoc run's, its pool and queue are unpaused, and no limit (pool, queue, deployment)
 * applies to it, so there is nothing to count. The caller knows no other due run is waiting for
 * its worker (its last claim took every due run and nothing woke it since) and that it has a
 * free slot; the run then is the one claimRuns would take. False when claimRuns must decide.
 * Why: a run triggered through the API is claimed in its own request, and claimRuns reads the
 * pool's counts and candidates (half a dozen statements) to find this one run.
 */
export function mayClaimMade(store: Store, made: RunRow): boolean {
  if (
    made.state_type !== "SCHEDULED" ||
    made.scheduled_at > store.clock.now() ||
    made.created_by === "ad-hoc"
  ) {
    return false;
  }
  // Scalar subqueries: the same lookups joined to a constant row took five times as long.
  const found = sqlite(store)
    .query(
      `SELECT
         (SELECT paused FROM work_pools WHERE name = ?1) AS pool_paused,
         (SELECT concurrency_limit FROM work_pools WHERE name = ?1) AS pool,
         (SELECT paused FROM work_queues WHERE pool = ?1 AND name = ?2) AS queue_paused,
         (SELECT concurrency_limit FROM work_queues WHERE pool = ?1 AND name = ?2) AS queue,
         (SELECT json_extract(spec, '$.concurrency.limit') FROM deployment_versions
           WHERE deployment_id = ?3 AND version = ?4) AS deployment`,
    )
    .get(made.work_pool, made.work_queue, made.deployment_id, made.version) as RunLimits & {
    pool_paused: number | null;
    queue_paused: number | null;
  };
  if (found.pool_paused || found.queue_paused) return false;
  // Whether any limit could hold it: as if each had been reached (only a count would tell, and
  // that is claimRuns' to take).
  const limits: RunLimits = { pool: found.pool, queue: found.queue, deployment: found.deployment };
  return !heldBackBy(limits, { pool: Infinity, queue: Infinity, deployment: Infinity });
}
