import {
  getWorker,
  listHeldRuns,
  type RunRow,
  runStartAllowed,
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
  /**
   * The worker was orch's own, gone with an orch that died (recovery at start): what it ran was
   * cut short by orch, not by the flow, so a run with retries left is retried. A remote worker
   * that went silent may still be running its runs: those are never retried behind its back.
   */
  interrupted?: boolean;
}

/**
 * A worker is gone (it stopped, went silent, or belonged to an orch that died): mark it offline
 * and end what it still held, each with `why`, in one transaction. The reaper, the worker
 * protocol's offline route and recovery at start all end a worker this way. Returns the runs as
 * they were left.
 *
 * Why PENDING runs of deployments go back to the queue (SCHEDULED, Requeued) and the rest are
 * CRASHED: a run the worker was handed (a frozen worker's held poll still takes runs) but was
 * never let start (a remote worker asks before it starts a process: run-starts.ts) has not
 * begun, so another worker may take it; should the lost worker come back, its start is refused
 * and it starts nothing. A run it was let start may be running even though its RUNNING never
 * arrived, and a run that was RUNNING may have done half its work: both are CRASHED (never two
 * copies), and the worker, once back, may still report how the attempt ended.
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
    return listHeldRuns(store, worker.id).map((run) => {
      if (run.state_type === "SCHEDULED") {
        // An ad-hoc run awaiting its retry: the `orch flow run` that would run it is gone.
        return transitionRun(store, run.id, {
          type: "CANCELLED",
          message: `the orch flow run that would retry this ad-hoc run (worker ${worker.name} on ${worker.host}) is gone: no attempt follows; run its flow again with orch flow run`,
        }).run;
      }
      let message = why(run, worker);
      const started = run.state_type === "PENDING" && runStartAllowed(store, run);
      if (started) message += ", after orch let it start the run's process (it may be running)";
      // An ad-hoc run (no deployment) runs in its caller's process: no other worker can take it.
      const requeue =
        run.state_type === "PENDING" &&
        run.deployment_id !== null &&
        !started &&
        !options.mayHaveStarted?.(run, worker);
      const state = requeue
        ? {
            type: "SCHEDULED" as const,
            name: "Requeued" as const,
            message: `${message}, before it reported the run started: back in the queue for another worker`,
          }
        : {
            type: "CRASHED" as const,
            message,
            ...(options.interrupted ? { interrupted: true } : {}),
          };
      return transitionRun(store, run.id, state).run;
    });
  });
}
