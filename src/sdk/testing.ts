/**
 * `orch/testing`: run a flow in a test, with the real SDK, against an in-memory store: no server,
 * no files, in milliseconds. `testFlow(flow, options)` starts the run and is awaited for it, with
 * its states, task runs, logs, result, artifacts and subflows. Retries, caching, subflows,
 * timeouts and pauses behave as they do under orch; `clock: "manual"` makes their waits happen
 * when the test says (`await test.advance("1h")`); `mocks` replace tasks by name.
 */
import { parseDuration } from "../core/duration.ts";
import { errorLine } from "../core/errors.ts";
import { pauseInputRefused } from "../core/pause-input.ts";
import { closest } from "../core/suggest.ts";
import { createManualClock, type ManualClock, realTimers } from "../core/timers.ts";
import { callFlowBody, durationMs, type Flow, isFlow } from "./flow.ts";
import { withFlowRun } from "./flow-context.ts";
import { captureConsole } from "./logger.ts";
import { createMemoryRuns } from "./memory-runs.ts";
import { checkAgainst } from "./parameters.ts";
import { FlowPaused } from "./pause.ts";
import { recordedSource } from "./recorded-results.ts";
import { flushTargetReports } from "./reporter.ts";
import { keepFlowResult } from "./result.ts";
import { loadReusedResults } from "./reused-results.ts";
import { type RunTarget, sleep, withRunTarget } from "./run-target.ts";
import { definedTasks } from "./task.ts";
import { type TaskOverrideSource, withTaskOverrides } from "./task-overrides.ts";
import type { TestRun } from "./test-run.ts";
import { testRunValues } from "./test-values.ts";

/** A task's stand-in: called with the task's inputs, its value is the task's (or what it throws). */
export type TaskMock = (...inputs: never[]) => unknown;

/** Options of testFlow. */
export interface TestFlowOptions<P> {
  /** The run's parameters (checked against the flow's declared schema, as under orch). */
  parameters?: P;
  /**
   * Tasks replaced by name: `{ "fetch-orders": () => [...] }`. A mock runs in place of the
   * task's body, with its retries and timeout; a value that is not a function is returned as is.
   */
  mocks?: Record<string, TaskMock | unknown>;
  /**
   * Results a past run recorded, by task name (what `orch runs snapshot` writes): the Nth call
   * of a task returns its Nth value without running (a Recorded task run); its calls past those
   * run as written, so a map's recorded items come back and the item that failed runs.
   */
  recorded?: Record<string, unknown[]>;
  /** "real" (default): waits take their time. "manual": time moves only with `advance()`. */
  clock?: "real" | "manual";
  /** Where a manual clock starts (default: now). */
  start?: Date | string | number;
  /**
   * What getSecret() and getVariable() return in the run: those of them the flow's files name as
   * literals (`getSecret("token")`), as a deployed run receives only those.
   */
  secrets?: Record<string, string>;
  variables?: Record<string, string>;
}

/** A flow run in a test: await it for the run once it stops (completed, failed or paused). */
export interface FlowTest<R> extends PromiseLike<TestRun<R>> {
  /** The run as it is now. */
  readonly run: TestRun<R>;
  /** Move a manual clock forward ("1h", "30s", or ms), firing the waits that come due. */
  advance(by: string | number): Promise<void>;
  /**
   * Resume a paused run with `input`: it starts again from the top, as under orch, the tasks
   * that completed before the pause giving back their results (unless the flow says rerun).
   */
  resume(input?: Record<string, unknown>): Promise<TestRun<R>>;
  /** The run's clock now. */
  now(): Date;
}

function startOf(start: TestFlowOptions<unknown>["start"]): number {
  if (start === undefined) return Date.now();
  const ms = new Date(start).getTime();
  if (Number.isNaN(ms))
    throw new TypeError(`testFlow(): start ${JSON.stringify(start)} is not a time`);
  return ms;
}

/**
 * Why a mock was not used: its task exists but the run did not reach it (it stopped before, or
 * took another branch), or no task has that name (a misspelling, with the nearest name).
 */
function unusedMock(name: string): string {
  if (definedTasks.has(name)) {
    return `mock ${name} was not used: task ${name} was not reached in this run`;
  }
  const near = closest(name, [...definedTasks]);
  return `mock ${name} was not used: no task is named ${name}${near ? `; did you mean "${near}"?` : ""}`;
}

/** The task override source of a test's mocks. */
function mockSource(mocks: Record<string, unknown>, used: Set<string>): TaskOverrideSource {
  return (task) => {
    if (!Object.hasOwn(mocks, task)) return undefined;
    used.add(task);
    const mock = mocks[task];
    return {
      reason: "mock",
      body: typeof mock === "function" ? (mock as (...inputs: unknown[]) => unknown) : () => mock,
    };
  };
}

/**
 * Run `made` as orch would, recorded in memory: `const run = await testFlow(etl, { parameters })`,
 * then `run.state`, `run.result`, `run.tasks`, `run.logs`. With `clock: "manual"`, keep the test:
 * `const t = testFlow(f, { clock: "manual" }); await t.advance("1h"); const run = await t;`.
 */
export function testFlow<P extends object, R>(
  made: Flow<P, R>,
  options: TestFlowOptions<P> = {},
): FlowTest<R> {
  if (!isFlow(made)) {
    throw new TypeError('testFlow(flow): pass a flow made with flow() from "orch"');
  }
  const flowMade = made as unknown as Flow<object, unknown>;
  const manual: ManualClock | null =
    options.clock === "manual" ? createManualClock(startOf(options.start)) : null;
  if (options.clock !== undefined && options.clock !== "real" && options.clock !== "manual") {
    throw new TypeError(
      `testFlow(): clock must be "real" or "manual", not ${JSON.stringify(options.clock)}`,
    );
  }
  const timers = manual ?? realTimers;
  const memory = createMemoryRuns(timers);
  const given = { ...(options.parameters ?? {}) } as Record<string, unknown>;
  const run = memory.create(made.orchFlow.name, given, null) as TestRun<R>;
  const mocks = (options.mocks ?? {}) as Record<string, unknown>;
  const recorded = Object.entries(options.recorded ?? {}).flatMap(([name, values]) =>
    values.map((value) => ({ name, value })),
  );
  const usedMocks = new Set<string>();
  const target: RunTarget = {
    runId: run.id,
    deployment: null,
    attempt: 1,
    parameters: given,
    apiUrl: null,
    call: (method, path, body) => memory.call(method, path, body),
    log: (line) => memory.log(run.id, line),
    timers,
    localSlots: true,
    ...testRunValues(flowMade, options),
    harness: true,
  };
  captureConsole();

  const retries = made.orchFlow.retries ?? 0;
  const retryDelay = durationMs(flowMade, "retryDelay") ?? 0;
  const timeout = durationMs(flowMade, "timeout");

  /** One attempt of the flow's body, within its timeout. */
  const attemptBody = async (): Promise<unknown> => {
    const checked = await checkAgainst(made.orchFlow.parameters, given, "parameters");
    target.parameters = checked;
    const body = withFlowRun({ runId: run.id, flowName: made.orchFlow.name }, undefined, () =>
      callFlowBody(flowMade, checked),
    );
    if (timeout === null) return body;
    let cancel = () => {};
    const late = new Promise<never>((_, reject) => {
      cancel = timers.setTimer(timeout, () => reject(new FlowTimeout(timeout)));
    });
    return Promise.race([body, late]).finally(() => cancel());
  };

  /** Attempts until the run completes, fails for good, or pauses. */
  const execute = async (): Promise<TestRun<R>> => {
    for (;;) {
      run.attempt++;
      target.attempt = run.attempt;
      memory.setState(
        run,
        run.attempt > 1 && run.state_name === "AwaitingRetry" ? "Retrying" : "Running",
      );
      try {
        // Each attempt gets the recorded values afresh, as a new process would; a mock is asked
        // before them (the test's own word), and a resume's reused results before both.
        const recordedValues = recordedSource(recorded);
        await withRunTarget(target, () =>
          withTaskOverrides(recordedValues, () =>
            withTaskOverrides(mockSource(mocks, usedMocks), async () => {
              // A resumed attempt reuses what completed before its pause, as under orch (the
              // same SDK code asks the in-memory store what the server would answer).
              const reused = await loadReusedResults(made.orchFlow.resume);
              const value = await (reused ? withTaskOverrides(reused, attemptBody) : attemptBody());
              await keepFlowResult(value, run.id);
              await flushTargetReports(target);
              return value;
            }),
          ),
        );
        memory.setState(run, "Completed");
        break;
      } catch (error) {
        await flushTargetReports(target);
        if (error instanceof FlowPaused && run.state === "PAUSED") break;
        const message = error instanceof Error ? error.message || error.name : String(error);
        if (run.attempt <= retries) {
          memory.setState(run, "AwaitingRetry", `attempt ${run.attempt} failed: ${message}`);
          await withRunTarget(target, () => sleep(retryDelay));
          continue;
        }
        run.error = error;
        memory.log(run.id, { level: "error", line: `flow ${run.name} failed: ${message}` });
        memory.setState(run, error instanceof FlowTimeout ? "TimedOut" : "Failed", message);
        break;
      }
    }
    for (const name of Object.keys(mocks)) {
      if (!usedMocks.has(name)) memory.log(run.id, { level: "warn", line: unusedMock(name) });
    }
    return run;
  };

  // A paused run is where a test stops to look: awaiting the test gives it at once. If its pause
  // times out later (advance), the same run object says FAILED.
  let stopped: Promise<TestRun<R>> = execute();

  const test: FlowTest<R> = {
    get run() {
      return run;
    },
    // biome-ignore lint/suspicious/noThenProperty: a test awaits its run: `const run = await testFlow(f)`.
    then(onDone, onError) {
      return stopped.then(onDone, onError);
    },
    async advance(by) {
      if (!manual) {
        throw new Error(
          'advance() moves a manual clock: start the test with testFlow(flow, { clock: "manual" })',
        );
      }
      const ms = parseDuration(by);
      if (ms === undefined || ms < 0) {
        throw new TypeError(
          `advance(${JSON.stringify(by)}): give a duration like "30s", "1h", or milliseconds`,
        );
      }
      await manual.advance(ms);
    },
    resume(input = {}) {
      if (run.state !== "PAUSED" || !run.pause) {
        throw new Error(`resume(): the run is ${run.state}, not PAUSED`);
      }
      // Input the pause's schema refuses is refused, as `orch runs resume` refuses it (exit 2):
      // the run stays PAUSED, and a later resume with good input goes on.
      const problems = memory.inputProblems(run, input);
      if (problems.length) {
        const error = new Error(errorLine(pauseInputRefused(run.pause.key, run.id, problems)));
        // Its stack starts at the test's call, so a runner shows that line, not this package's.
        Error.captureStackTrace?.(error, test.resume);
        return Promise.reject(error);
      }
      memory.answer(run, run.pause.key, input);
      memory.setState(run, "Resuming");
      stopped = execute();
      return stopped;
    },
    now: () => new Date(timers.now()),
  };
  return test;
}

/** A run that took longer than its flow's timeout. */
class FlowTimeout extends Error {
  constructor(ms: number) {
    super(`the flow timed out after ${ms} ms`);
    this.name = "FlowTimeout";
  }
}

export type { TestLogLine, TestRun, TestState, TestTaskRun } from "./test-run.ts";
