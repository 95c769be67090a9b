import { isTerminal, OrchError } from "../core/index.ts";
import {
  getRunOrThrow,
  getWorker,
  type RunRow,
  type Store,
  transitionRun,
} from "../store/index.ts";

/**
 * Cancel a run. A run that has not started (SCHEDULED, or PENDING with no worker) is CANCELLED at
 * once; a run with a process goes to CANCELLING, and the worker that owns it stops its process
 * tree and records CANCELLED. A run whose worker is offline is CANCELLED at once. Cancelling a
 * run that is already CANCELLING changes nothing; a finished run is an E_CONFLICT.
 */
export function cancelRun(store: Store, runId: string, message = "cancelled by user"): RunRow {
  return store.tx(() => {
    const run = getRunOrThrow(store, runId);
    if (isTerminal(run.state_type)) {
      throw new OrchError(
        "E_CONFLICT",
        `run ${run.id} already finished (${run.state_type}); there is nothing to cancel`,
      );
    }
    if (run.state_type === "CANCELLING") return run;
    const owner = run.worker_id ? getWorker(store, run.worker_id) : null;
    // A paused run has no process to stop: it ends at once, as one not started does.
    const noProcess = run.state_type === "SCHEDULED" || run.state_type === "PAUSED";
    if (noProcess || !owner || owner.status !== "online") {
      return transitionRun(store, run.id, { type: "CANCELLED", message }).run;
    }
    return transitionRun(store, run.id, { type: "CANCELLING", message }).run;
  });
}
