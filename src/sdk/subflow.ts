/**
 * A flow called inside a flow's run is a subflow: a run of its own (parent_id: the caller's
 * run), with its own states, made through the API and run here, in the caller's process (so
 * it shares its slot and its memory). Its failure is the call's: the caller gets the error.
 * Its retries and timeout are its own options, applied here; its timeout fails the call, but
 * the subflow's code cannot be stopped inside this process and may still finish its step.
 */
import type { RunJson, SubflowState } from "../core/wire/index.ts";
import { callFlowBody, durationMs, type Flow } from "./flow.ts";
import { currentFlowRun, withFlowRun } from "./flow-context.ts";
import { checkAgainst } from "./parameters.ts";
import { keepFlowResult } from "./result.ts";
import { callRunApi, isTracked } from "./run-context.ts";
import { sdkTimers, sleep } from "./run-target.ts";
import { isConfigurationError } from "./secrets.ts";

/** A subflow that ran longer than its timeout. */
class SubflowTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number | null, name: string): Promise<T> {
  if (ms === null) return work;
  let cancel = () => {};
  const late = new Promise<never>((_, reject) => {
    cancel = sdkTimers().setTimer(ms, () =>
      reject(new SubflowTimeout(`subflow ${name} timed out after ${ms} ms`)),
    );
  });
  return Promise.race([work, late]).finally(() => cancel());
}

/** Run `made` as a subflow of the current run: a child run, tracked, retried as it asks. */
export async function runSubflow(made: Flow<object, unknown>, params: object): Promise<unknown> {
  const parent = currentFlowRun();
  const options = made.orchFlow;
  const given = params as Record<string, unknown>;
  // With no API (a server-less `orch flow run`) nothing could record a child run: it runs as
  // part of its caller, as a plain call.
  if (!parent?.runId || !isTracked()) {
    const checked = await checkAgainst(options.parameters, given, "parameters");
    return withFlowRun({ runId: "", flowName: options.name }, parent, () =>
      callFlowBody(made, checked),
    );
  }
  const retries = options.retries ?? 0;
  const delay = durationMs(made, "retryDelay") ?? 0;
  const timeout = durationMs(made, "timeout");
  const child = await callRunApi<RunJson>(
    "POST",
    `/api/runs/${encodeURIComponent(parent.runId)}/subflows`,
    {
      name: options.name,
      parameters: given,
      ...(options.tags ? { tags: options.tags } : {}),
    },
  );
  const report = (state: SubflowState) =>
    callRunApi(
      "POST",
      `/api/runs/${encodeURIComponent(parent.runId)}/subflows/${encodeURIComponent(child.id)}/state`,
      state,
    );
  let checked: Record<string, unknown>;
  try {
    checked = await checkAgainst(options.parameters, given, "parameters");
  } catch (error) {
    // Recorded as the subflow's failure; no retry makes bad parameters good.
    await report({ state: "FAILED", message: (error as Error).message }).catch(() => {});
    throw error;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await withFlowRun({ runId: child.id, flowName: options.name }, parent, () =>
        withTimeout(callFlowBody(made, checked), timeout, options.name),
      );
      // Its return value is its own run's result, kept before it is COMPLETED.
      await keepFlowResult(result, child.id);
      await report({ state: "COMPLETED" });
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A missing secret fails every attempt alike: no retry for it (as for a task).
      if (attempt <= retries && !isConfigurationError(error)) {
        const left = retries - attempt;
        await report({
          state: "RUNNING",
          name: "Retrying",
          message: `attempt ${attempt} failed: ${message}; retrying (${left} ${left === 1 ? "retry" : "retries"} left after this one)`,
        });
        if (delay) await sleep(delay);
        continue;
      }
      await report({
        state: "FAILED",
        ...(error instanceof SubflowTimeout ? { name: "TimedOut" as const } : {}),
        message,
      }).catch(() => {});
      throw error;
    }
  }
}
