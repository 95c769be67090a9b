/** The concurrency limits a run counts against (null: none). */
export interface RunLimits {
  /** Its work pool's concurrency_limit. */
  pool: number | null;
  /** Its work queue's concurrency_limit. */
  queue: number | null;
  /** Its deployment version's `concurrency.limit`. */
  deployment: number | null;
}

/** The active runs (state-sql.ts ACTIVE) each of a run's limits counts. */
export interface ActiveCounts {
  /** In its work pool. */
  pool: number;
  /** In its work pool and queue. */
  queue: number;
  /** Of its deployment, in any pool. */
  deployment: number;
}

/** The limit that holds a run back, with the count that reached it. */
export interface HeldBack {
  by: keyof RunLimits;
  active: number;
  limit: number;
}

/**
 * Which concurrency limit holds a run back, or null when none does. The one definition of
 * "held back by a limit": the claim applies it to every candidate and the late rule reports it,
 * so a Late run's reason is always the reason the claim skipped it. A limit holds once the active
 * runs it counts have reached it. Checked in the claim's order, pool, then queue, then
 * deployment: a run its queue holds back is skipped, never cancelled by its deployment's
 * `collision: cancel-new`.
 */
export function heldBackBy(limits: RunLimits, active: ActiveCounts): HeldBack | null {
  for (const by of ["pool", "queue", "deployment"] as const) {
    const limit = limits[by];
    if (limit !== null && active[by] >= limit) return { by, active: active[by], limit };
  }
  return null;
}
