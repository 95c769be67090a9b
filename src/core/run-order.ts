/**
 * Where a run sits in the runs listings (newest first): when it is due to start (its expected
 * start, as a schedule or `--at` set it, or its retry's), or, for a run that ended without ever
 * starting (a future slot cancelled), when it ended. Why not its actual start: a key that moves
 * when a run starts rewrites the listings' indexes at every start; this one is set when the run
 * is made and moves only when it is retried or ends unstarted. The store keeps it as
 * `flow_runs.listed_at`; the monitor and the web app order live runs by the same rule.
 */
export function runListedAt<T>(run: {
  scheduled_at: T;
  started_at: T | null;
  ended_at: T | null;
}): T {
  return run.started_at === null && run.ended_at !== null ? run.ended_at : run.scheduled_at;
}
