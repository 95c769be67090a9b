/**
 * `pause()`: a flow run waits for a person (or a program) to resume it, with input.
 *
 * Why the process ends while paused (rather than waiting): a waiting process would hold its
 * worker's slot and memory for as long as nobody answers, hours or days, and would be lost with
 * its worker. So the run goes PAUSED, its process exits, and no slot is held. Once resumed
 * (`orch runs resume`, the API, the monitor) the run starts again from the top, as its next
 * attempt; this time the same `pause()` call returns the input at once. Tasks that completed
 * before the pause return their results without running (see reused-results.ts; the flow's
 * `resume: "rerun"` runs them again); code outside tasks runs again, so keep it idempotent.
 */
import { EXIT_PAUSED } from "../core/exit-codes.ts";
import type { PauseAnswer } from "../core/wire/index.ts";
import { currentFlowRun } from "./flow-context.ts";
import { sdkLog } from "./logger.ts";
import { checkAgainst, type ParameterSchema, toJsonSchema } from "./parameters.ts";
import { type Duration, durationMs } from "./retry-policy.ts";
import { callRunApi, getRunContext, isTracked } from "./run-context.ts";
import { finishRunOutput } from "./run-output.ts";
import { currentTarget } from "./run-target.ts";

/**
 * Thrown by `pause()` in a run recorded inside this process (a test's): the process cannot end
 * there, so the run's code stops by unwinding to its start, which records the run PAUSED.
 */
export class FlowPaused extends Error {
  constructor(readonly key: string) {
    super(`paused (${key})`);
    this.name = "FlowPaused";
  }
}

/** Options of a pause. */
export interface PauseOptions {
  /** Fail the run unless it is resumed within this long (default: wait for ever). */
  timeout?: Duration;
  /** The input to ask for: a JSON Schema or a Standard Schema. */
  input?: ParameterSchema;
  /** Names the pause (default: pause-1, pause-2, … in the order the flow meets them). */
  key?: string;
}

/**
 * Pause the flow run until it is resumed; resolves with the input it was resumed with. The
 * process exits meanwhile (no slot is held) and the run starts again from the top once resumed.
 */
export async function pause<T extends Record<string, unknown> = Record<string, unknown>>(
  options: PauseOptions = {},
): Promise<T> {
  const context = currentFlowRun();
  if (!context) throw new Error("pause() works inside a flow run (a function made with flow())");
  if (!isTracked()) {
    throw new Error(
      "pause() needs orch's server to resume the run: run the flow from a deployment under orch up",
    );
  }
  // A run of no deployment (orch flow run) could not be started again once resumed: say so
  // here rather than with the API's refusal (a test's runs, on their own target, may pause).
  if (!currentTarget() && !getRunContext().deployment) {
    throw new Error(
      "pause() needs a deployment's run: a flow run ad hoc (orch flow run) cannot be started again once resumed; deploy the flow to pause it",
    );
  }
  const root = context.root;
  const key = options.key ?? `pause-${++root.pauses}`;
  const timeoutMs =
    options.timeout === undefined ? undefined : durationMs(options.timeout, "pause(): timeout");
  const schema = toJsonSchema(options.input);
  const answer = await callRunApi<PauseAnswer>(
    "POST",
    `/api/runs/${encodeURIComponent(root.runId)}/pause`,
    {
      key,
      ...(timeoutMs !== undefined ? { timeout_ms: timeoutMs } : {}),
      ...(schema ? { input_schema: schema } : {}),
    },
  );
  if (answer.resumed) return (await checkAgainst(options.input, answer.input ?? {}, "input")) as T;
  if (currentTarget()) throw new FlowPaused(key);
  // orch's notice, not a failure: an info line of the run's log.
  sdkLog.info(
    `paused (${key}): resume with orch runs resume ${root.runId.slice(0, 8)}; this process ends until then`,
  );
  await finishRunOutput();
  // Let what the flow itself wrote through process.stdout reach the worker before the process ends.
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(EXIT_PAUSED);
}
