/**
 * Retry from the failure and resume, the flow's side: an attempt of a run retried with
 * --from-failed, or resumed after a pause, asks the API (so it works on any worker) which
 * results of the attempt before it may be reused, and
 * a task called with the same name, inputs and code as one of those returns its result, recorded as
 * Reused, instead of running. Every other task (the failed one, and what follows) runs.
 */
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
  onResume: "reuse" | "rerun" = "reuse",
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
  // The values of each task's calls by name, inputs and code, in the order they ran: a task
  // called twice with the same inputs reuses two results, a third call runs; a task whose code
  // changed since (the run retried on a fixed version) runs.
  const values = new Map<string, unknown[]>();
  for (const t of answer.tasks) {
    if (t.inputs_hash === null || !t.source_hash || !("value" in t)) continue;
    const key = `${t.name}\u0000${t.inputs_hash}\u0000${t.source_hash}`;
    const list = values.get(key) ?? [];
    list.push(t.value);
    values.set(key, list);
  }
  const count = [...values.values()].reduce((n, list) => n + list.length, 0);
  if (!count) return null;
  if (answer.reason === "resume") {
    if (onResume === "rerun") {
      sdkLog.info('resumed: every task runs again (the flow\'s option resume: "rerun")');
      return null;
    }
    sdkLog.info(
      `resumed: ${count} result(s) of task runs that completed before the pause (attempt ${answer.attempt}) are reused`,
    );
  } else {
    sdkLog.info(
      `retried from the failure: ${count} result(s) of task runs that completed in attempt ${answer.attempt} may be reused`,
    );
  }
  return (task, inputs, source) => {
    const list = values.get(`${task}\u0000${inputsHash(inputs)}\u0000${source}`);
    if (!list?.length) return undefined;
    return { reason: "reused", value: list.shift() };
  };
}
