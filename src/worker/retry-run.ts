import { isTerminal, OrchError } from "../core/index.ts";
import {
  getRunOrThrow,
  type RunRow,
  reusableTaskRuns,
  type Store,
  setReuseResults,
  transitionRun,
} from "../store/index.ts";

/** How a user's retry runs the flow again. */
export interface RetryOptions {
  /**
   * From the failed task on: tasks that completed with the same inputs in the attempt before
   * return their kept results instead of running (see reusableTaskRuns for which ones).
   */
  fromFailed?: boolean;
}

/**
 * A user's retry: a finished run (COMPLETED, FAILED, CRASHED, CANCELLED) goes back to SCHEDULED,
 * due now, with its full retry budget; the worker starts it as the next attempt. From the
 * failure, each of its next attempts asks the API for the results it may reuse (so a remote
 * worker's flow gets them too); a plain retry runs everything again.
 */
export function retryRun(store: Store, runId: string, options: RetryOptions = {}): RunRow {
  return store.tx(() => {
    const run = getRunOrThrow(store, runId);
    if (!isTerminal(run.state_type)) {
      throw new OrchError(
        "E_CONFLICT",
        `run ${run.id} is ${run.state_type}, not finished; only a finished run can be retried (cancel it first)`,
      );
    }
    if (run.deployment_id === null) {
      // No worker could run it: its flow file lives where `orch flow run` was called.
      throw new OrchError(
        "E_CONFLICT",
        `run ${run.id} is an ad-hoc run (no deployment); run its flow again with orch flow run`,
      );
    }
    if (!options.fromFailed) {
      setReuseResults(store, run.seq, null);
      return transitionRun(
        store,
        run.id,
        { type: "SCHEDULED", message: "retried by user" },
        {},
        "user",
      ).run;
    }
    if (run.state_type === "COMPLETED") {
      throw new OrchError(
        "E_CONFLICT",
        `run ${run.id.slice(0, 8)} COMPLETED: no task failed; orch runs retry ${run.id.slice(0, 8)} (without --from-failed) runs it again`,
      );
    }
    const reused = reusableTaskRuns(store, run.seq, run.attempt).length;
    setReuseResults(store, run.seq, run.attempt);
    const message = `retried by user from the failed task (results of ${reused} completed task run${reused === 1 ? "" : "s"} of attempt ${run.attempt} to reuse)`;
    return transitionRun(store, run.id, { type: "SCHEDULED", message }, {}, "user").run;
  });
}
