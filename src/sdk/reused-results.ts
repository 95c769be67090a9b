/**
 * Retry from the failure and resume, the flow's side: an attempt of a run retried with
 * --from-failed, or resumed after a pause, asks the API (so it works on any worker) which
 * results of the attempt before it may be reused, and
 * a task called with the same name, inputs and code as one of those returns its result, recorded as
 * Reused, instead of running. Every other task (the failed one, and what follows) runs.
 */
import { createReuseLookup, type ResumeOption, reusesResults } from "../core/task-reuse.ts";
import type { TaskResultsJson } from "../core/wire/index.ts";
import { sdkLog } from "./logger.ts";
import { callRunApi, getRunContext, isTracked } from "./run-context.ts";
import { inputsHash } from "./task-inputs.ts";
import type { TaskOverrideSource } from "./task-overrides.ts";

/**
 * The results this attempt may reuse, as a task override source; null when there are none (a
 * first attempt, a plain retry, an untracked call, or a resume of a flow whose `resume` option
 * is "rerun"). Asked only from the second attempt on, so a first attempt costs no request.
 */
export async function loadReusedResults(
  onResume: ResumeOption = "reuse",
): Promise<TaskOverrideSource | null> {
  const { attempt } = getRunContext();
  if (!isTracked() || attempt < 2) return null;
  let answer: TaskResultsJson;
  try {
    answer = await callRunApi<TaskResultsJson>(
      "GET",
      `/api/runs/:run/task-results?reuse_for=${attempt}`,
    );
  } catch (error) {
    // Running every task again is always correct, only slower.
    sdkLog.warn(`no results reused: ${(error as Error).message}; every task runs again`);
    return null;
  }
  // A value that could not be read (its file is gone) is not one to give back.
  const lookup = createReuseLookup(
    answer.tasks.flatMap((t) =>
      t.inputs_hash !== null && t.source_hash && "value" in t
        ? [{ name: t.name, inputs_hash: t.inputs_hash, source_hash: t.source_hash, value: t.value }]
        : [],
    ),
  );
  const { count } = lookup;
  if (!count) return null;
  if (!reusesResults(answer.reason, onResume)) {
    sdkLog.info('resumed: every task runs again (the flow\'s option resume: "rerun")');
    return null;
  }
  if (answer.reason === "resume") {
    sdkLog.info(
      `resumed: ${count} result(s) of task runs that completed before the pause (attempt ${answer.attempt}) are reused`,
    );
  } else {
    sdkLog.info(
      `retried from the failure: ${count} result(s) of task runs that completed in attempt ${answer.attempt} may be reused`,
    );
  }
  return (task, inputs, source) => {
    // Inputs that are not JSON have no hash, so nothing recorded can match them.
    const hash = inputsHash(inputs);
    const hit = hash === null ? undefined : lookup.take(task, hash, source);
    return hit && { reason: "reused", value: hit.value };
  };
}
