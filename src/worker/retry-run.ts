import { isTerminal, OrchError } from "../core/index.ts";
import { getRunOrThrow, type RunRow, type Store, transitionRun } from "../store/index.ts";

/**
 * A user's retry: a finished run (COMPLETED, FAILED, CRASHED, CANCELLED) goes back to SCHEDULED,
 * due now, with its full retry budget; the worker starts it as the next attempt.
 */
export function retryRun(store: Store, runId: string, message = "retried by user"): RunRow {
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
    return transitionRun(store, run.id, { type: "SCHEDULED", message }, {}, "user").run;
  });
}
