import { formatDuration, OrchError, type PauseAnswer, type PauseRequest } from "../core/index.ts";
import { checkSchema, schemaProblems } from "../core/json-schema.ts";
import { NOT_IN_PAUSE_SCHEMA, pauseInputRefused } from "../core/pause-input.ts";
import {
  getRunOrThrow,
  pausedRunsDue,
  type RunRow,
  type Store,
  transitionRun,
} from "../store/index.ts";

/** What a paused run keeps of its pause (flow_runs.pause). */
interface StoredPause {
  key: string;
  input_schema: Record<string, unknown> | null;
}

/** What a paused run waits for; null when it is not paused. */
export function pauseOf(run: RunRow): StoredPause | null {
  return run.state_type === "PAUSED" && run.pause ? (JSON.parse(run.pause) as StoredPause) : null;
}

/**
 * A flow's `pause()`: the run goes PAUSED (its process ends next, holding no slot), unless this
 * pause was resumed already: the run then started again from the top, and gets the input.
 * Only a deployment's run can pause: an ad-hoc run has no worker to start it again.
 */
export function pauseRun(store: Store, runId: string, request: PauseRequest): PauseAnswer {
  return store.tx(() => {
    const run = getRunOrThrow(store, runId);
    const inputs = JSON.parse(run.resume_inputs ?? "{}") as Record<string, Record<string, unknown>>;
    const input = inputs[request.key];
    if (input) return { resumed: true, input };
    if (run.deployment_id === null) {
      throw new OrchError(
        "E_CONFLICT",
        `run ${run.id} is an ad-hoc run: no worker could start it again once resumed; deploy the flow to pause it`,
      );
    }
    if (request.input_schema) {
      try {
        checkSchema(request.input_schema, {});
      } catch (error) {
        throw new OrchError("E_BAD_INPUT", "the pause's input schema is not valid", [
          { where: "input_schema", message: (error as Error).message },
        ]);
      }
    }
    const pause: StoredPause = { key: request.key, input_schema: request.input_schema ?? null };
    const until = request.timeout_ms ? store.clock.now() + request.timeout_ms : null;
    const within = request.timeout_ms
      ? `; fails unless resumed within ${formatDuration(request.timeout_ms)}`
      : "";
    transitionRun(
      store,
      run.id,
      {
        type: "PAUSED",
        message: `paused at ${request.key}${within}; resume it with orch runs resume ${run.id.slice(0, 8)}`,
      },
      { pause: { info: JSON.stringify(pause), until } },
    );
    return { resumed: false };
  });
}

/**
 * Resume a paused run with `input`, checked against its pause's input schema (every problem,
 * with where it is): the run is SCHEDULED (Resuming) and starts again from the top, its pause
 * then returning the input.
 */
export function resumeRun(
  store: Store,
  runId: string,
  input: Record<string, unknown> = {},
  message = "resumed by user",
): RunRow {
  return store.tx(() => {
    const run = getRunOrThrow(store, runId);
    const pause = pauseOf(run);
    if (!pause) {
      throw new OrchError(
        "E_CONFLICT",
        `run ${run.id} is ${run.state_type}, not PAUSED; only a paused run can be resumed`,
      );
    }
    if (pause.input_schema) {
      const problems = schemaProblems(pause.input_schema, input, "input", NOT_IN_PAUSE_SCHEMA);
      if (problems.length) throw pauseInputRefused(pause.key, run.id, problems);
    }
    return transitionRun(
      store,
      run.id,
      { type: "SCHEDULED", name: "Resuming", message },
      { resumeInput: { key: pause.key, input } },
      "user",
    ).run;
  });
}

/** Fail the paused runs whose pause timed out (at `now`); returns them. */
export function expirePausedRuns(store: Store, now: number): RunRow[] {
  return store.tx(() =>
    pausedRunsDue(store, now).map((run) => {
      const waited = formatDuration(now - run.state_at);
      const key = pauseOf(run)?.key ?? "its pause";
      return transitionRun(store, run.id, {
        type: "FAILED",
        message: `not resumed in time: ${key} waited ${waited} and timed out`,
      }).run;
    }),
  );
}
