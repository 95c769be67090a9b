import { isTerminal, OrchError } from "../core/index.ts";
import {
  activeVersion,
  getRunOrThrow,
  type RunRow,
  reusableTaskRuns,
  type Store,
  setReuseResults,
  setRunVersion,
  transitionRun,
} from "../store/index.ts";

/** How a user's retry runs the flow again. */
export interface RetryOptions {
  /**
   * From the failed task on: tasks that completed with the same inputs in the attempt before
   * return their kept results instead of running (see reusableTaskRuns for which ones).
   */
  fromFailed?: boolean;
  /** Run the run's own version again, not its deployment's active one. */
  ownVersion?: boolean;
}

/**
 * A user's retry: a finished run (COMPLETED, FAILED, CRASHED, CANCELLED) goes back to SCHEDULED,
 * due now, with its full retry budget; the worker starts it as the next attempt. From the
 * failure, each of its next attempts asks the API for the results it may reuse (so a remote
 * worker's flow gets them too); a plain retry runs everything again.
 *
 * It runs the deployment's active version, unless `ownVersion`. Why that default: a user
 * retries a failed run once its cause is fixed, and a fix in the flow's code is a new version;
 * retrying the old code fails the same way again. Reusing results across versions is safe
 * because a task's result is reused only when its source is the same too (see task-inputs.ts).
 * The state message says which version runs, so the run's history stays true.
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
    if (options.fromFailed && run.state_type === "COMPLETED") {
      throw new OrchError(
        "E_CONFLICT",
        `run ${run.id.slice(0, 8)} COMPLETED: no task failed; orch runs retry ${run.id.slice(0, 8)} (without --from-failed) runs it again`,
      );
    }
    const onVersion = retryVersion(store, run, options.ownVersion === true);
    if (!options.fromFailed) {
      setReuseResults(store, run.seq, null);
      const message = `retried by user${onVersion}`;
      return transitionRun(store, run.id, { type: "SCHEDULED", message }, {}, "user").run;
    }
    const reused = reusableTaskRuns(store, run.seq, run.attempt).length;
    setReuseResults(store, run.seq, run.attempt);
    const message = `retried by user from the failed task${onVersion} (results of ${reused} completed task run${reused === 1 ? "" : "s"} of attempt ${run.attempt} to reuse, of tasks whose inputs and code are the same)`;
    return transitionRun(store, run.id, { type: "SCHEDULED", message }, {}, "user").run;
  });
}

/**
 * Point the run at the version its retry runs; returns what its state message says of it
 * ("" when it is the run's own and its deployment has no other).
 */
function retryVersion(store: Store, run: RunRow, own: boolean): string {
  const active = run.deployment_id === null ? null : activeVersion(store, run.deployment_id);
  if (active === null || run.version === null || active === run.version) return "";
  if (own) return ` on v${run.version}, its own version (${run.deployment} is at v${active})`;
  setRunVersion(store, run.seq, active);
  return ` on v${active}, ${run.deployment}'s active version (the run ran v${run.version})`;
}
