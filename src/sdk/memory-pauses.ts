/**
 * Pauses of testFlow's runs (orch/testing): a run that meets `pause()` waits PAUSED until the test
 * resumes it with an input (checked against the pause's schema, as orch's resume checks it), and
 * fails once its timeout passes on the test's clock.
 */
import { formatDuration } from "../core/duration.ts";
import type { Problem } from "../core/errors.ts";
import { NOT_IN_PAUSE_SCHEMA } from "../core/pause-input.ts";
import type { StateName } from "../core/states.ts";
import type { Timers } from "../core/timers.ts";
import type { TestRun } from "./test-run.ts";

/** The pauses of one test's runs. */
export interface MemoryPauses {
  /** A run meets a pause: the input it was resumed with, or PAUSED (failed once it times out). */
  pause(run: TestRun, given: Record<string, unknown>): Promise<PauseOutcome>;
  /** The run's answer to its pause `key` (set by resume). */
  answer(run: TestRun, key: string, input: Record<string, unknown>): void;
  /** What is wrong with `input` for the pause `run` waits in, as orch's resume checks it. */
  inputProblems(run: TestRun, input: Record<string, unknown>): Problem[];
}

/** What a pause answers a flow: resumed with its input, or not (yet). */
export type PauseOutcome = { resumed: true; input: Record<string, unknown> } | { resumed: false };

/** The pauses of a test's runs, on its clock; `setState` records a run's state. */
export function createMemoryPauses(
  timers: Timers,
  setState: (run: TestRun, name: StateName, message?: string | null) => void,
): MemoryPauses {
  const answers = new Map<string, Record<string, unknown>>();
  // Each paused run's check of its pause's input schema, loaded as it pauses (orch's validator
  // is imported only by a flow whose pause declares one), so a resume checks at once.
  const inputChecks = new Map<string, (input: Record<string, unknown>) => Problem[]>();
  return {
    async pause(run: TestRun, given: Record<string, unknown>) {
      const key = given.key as string;
      const input = answers.get(`${run.id}\u0000${key}`);
      if (input) return { resumed: true, input };
      const schema = given.input_schema as object | undefined;
      inputChecks.delete(run.id);
      if (schema) {
        const { schemaProblems } = await import("../core/json-schema.ts");
        inputChecks.set(run.id, (value) =>
          schemaProblems(schema, value, "input", NOT_IN_PAUSE_SCHEMA),
        );
      }
      const timeout = (given.timeout_ms as number | undefined) ?? null;
      setState(run, "Paused", `waiting in ${key}`);
      run.pause = { key, timeout_ms: timeout };
      if (timeout !== null) {
        const since = timers.now();
        const paused = run.states.length;
        timers.setTimer(timeout, () => {
          // Still in the same pause: it timed out, as orch fails a paused run in time.
          if (run.state !== "PAUSED" || run.states.length !== paused) return;
          const waited = formatDuration(timers.now() - since);
          setState(run, "Failed", `not resumed in time: ${key} waited ${waited} and timed out`);
        });
      }
      return { resumed: false };
    },
    answer(run, key, input) {
      answers.set(`${run.id}\u0000${key}`, input);
    },
    inputProblems(run, input) {
      return inputChecks.get(run.id)?.(input) ?? [];
    },
  };
}
