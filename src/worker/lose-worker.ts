import {
  getWorker,
  listActiveRuns,
  type RunRow,
  type Store,
  setWorkerOffline,
  transitionRun,
  type WorkerRow,
} from "../store/index.ts";

/** How a lost worker's runs end, beyond the default. */
export interface LoseOptions {
  /**
   * Whether a PENDING run (claimed, never reported RUNNING) may have a process where nobody
   * will stop it first: then it is CRASHED like the rest, not requeued. Default: none may.
   */
  mayHaveStarted?: (run: RunRow, worker: WorkerRow) => boolean;
}

/**
 * A worker is gone (it stopped, went silent, or belonged to an orch that died): mark it offline
 * and end what it still held, each with `why`, in one transaction. The reaper, the worker
 * protocol's offline route and recovery at start all end a worker this way. Returns the runs as
 * they were left.
 *
 * Why PENDING runs of deployments go back to the queue (SCHEDULED, Requeued) and the rest are
 * CRASHED: a run
 * the worker never reported RUNNING was handed to it (a frozen worker's held poll still takes
 * runs) but has not begun as far as anyone knows, so another worker may take it; should the lost
 * worker come back and report it started, that report is refused (the run is no longer its) and
 * it stops its copy. A run that was RUNNING may have done half its work: it is CRASHED, and its
 * worker, once back, may still report how it ended.
 */
export function loseWorker(
  store: Store,
  workerId: string,
  why: (run: RunRow, worker: WorkerRow) => string,
  options: LoseOptions = {},
): RunRow[] {
  return store.tx(() => {
    const worker = getWorker(store, workerId);
    if (!worker) return [];
    setWorkerOffline(store, worker.id);
    return listActiveRuns(store, { workerId: worker.id }).map((run) => {
      const message = why(run, worker);
      // An ad-hoc run (no deployment) runs in its caller's process: no other worker can take it.
      const requeue =
        run.state_type === "PENDING" &&
        run.deployment_id !== null &&
        !options.mayHaveStarted?.(run, worker);
      const state = requeue
        ? {
            type: "SCHEDULED" as const,
            name: "Requeued" as const,
            message: `${message}, before it reported the run started: back in the queue for another worker`,
          }
        : { type: "CRASHED" as const, message };
      return transitionRun(store, run.id, state).run;
    });
  });
}
