import {
  getWorker,
  listActiveRuns,
  type RunRow,
  type Store,
  setWorkerOffline,
  transitionRun,
  type WorkerRow,
} from "../store/index.ts";

/**
 * A worker is gone (it stopped, went silent, or belonged to an orch that died): mark it offline
 * and end every run it still held CRASHED, each with `why`, in one transaction. The reaper, the
 * worker protocol's offline route and recovery at start all end a worker this way. Returns the
 * runs crashed.
 */
export function loseWorker(
  store: Store,
  workerId: string,
  why: (run: RunRow, worker: WorkerRow) => string,
): RunRow[] {
  return store.tx(() => {
    const worker = getWorker(store, workerId);
    if (!worker) return [];
    setWorkerOffline(store, worker.id);
    return listActiveRuns(store, { workerId: worker.id }).map(
      (run) => transitionRun(store, run.id, { type: "CRASHED", message: why(run, worker) }).run,
    );
  });
}
