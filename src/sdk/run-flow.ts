/**
 * The flow-run entry (`orch __flow-run FILE EXPORT [ROOT]`): what a worker starts for a TypeScript
 * flow. ROOT is the folder of the run's code, which its errors' paths are told relative to.
 * It loads the SDK and the flow and nothing else (no CLI, server or TUI), so a run starts fast.
 */
import { resolve } from "node:path";
// Not the core's index: the flow-run entry loads only what a run needs.
import { encodeFlowOptions, type FlowOptionsRecord } from "../core/log-record.ts";
import { dieWithParent } from "../worker/libc.ts";
import { callFlowBody, durationMs, isFlow } from "./flow.ts";
import { withFlowRun } from "./flow-context.ts";
import * as sdk from "./index.ts";
import { sdkLog, writeLines } from "./logger.ts";
import { checkAgainst } from "./parameters.ts";
import { loadRecordedResults } from "./recorded-results.ts";
import { keepFlowResult } from "./result.ts";
import { loadReusedResults } from "./reused-results.ts";
import {
  finishRunOutput,
  relativeTo,
  reportFailure,
  reportFlowError,
  startRunOutput,
} from "./run-output.ts";
import { withTaskOverrides } from "./task-overrides.ts";

/** How long a flow that returned may keep the process alive with open handles before it ends. */
const EXIT_GRACE_MS = 1000;

/**
 * Import a flow file with "orch" resolved to this SDK; its export `name`, or an error message
 * that says what the file exports instead. Top-level code of the file runs; no flow does.
 */
export async function loadFlow(
  file: string,
  name: string,
): Promise<{ fn: (params: object) => unknown } | { error: string }> {
  Bun.plugin({
    name: "orch-sdk",
    setup(build) {
      build.module("orch", () => ({ exports: sdk, loader: "object" }));
    },
  });
  const module = (await import(resolve(file))) as Record<string, unknown>;
  const fn = module[name];
  if (typeof fn !== "function") {
    const exported = Object.keys(module).join(", ") || "nothing";
    return {
      error: `${file} has no function export named ${name} (it exports ${exported}); make it with flow() from "orch"`,
    };
  }
  return { fn: fn as (params: object) => unknown };
}

/**
 * Run the flow `file`'s export `name` with the parameters in ORCH_PARAMETERS. Resolves with the
 * exit code: 0 when the flow returned, 1 when it threw (its stack on stderr), 2 for bad usage, a
 * flow that does not load, or parameters its schema refuses.
 */
export async function runFlow(argv: string[]): Promise<number> {
  // A flow dies with the worker that started it (even one killed with SIGKILL): nobody would
  // record its end, and the run is crashed once that worker is found gone.
  if (process.env.ORCH_WORKER_PID) dieWithParent(Number(process.env.ORCH_WORKER_PID));
  const [file, name = "default", root = process.cwd()] = argv;
  if (!file) {
    console.error("usage: orch __flow-run FILE [EXPORT [ROOT]]");
    return 2;
  }
  startRunOutput();
  let parameters: Record<string, unknown>;
  try {
    parameters = JSON.parse(process.env.ORCH_PARAMETERS || "{}");
  } catch (error) {
    console.error(`ORCH_PARAMETERS is not valid JSON: ${(error as Error).message}`);
    return 2;
  }
  // A flow that never started (its file does not load, or it refuses its parameters) is bad
  // input, exit code 2 as for usage; one that started and threw is a failed run, 1.
  const started = await startable(file, name, parameters, root);
  if ("code" in started) {
    await finishRunOutput();
    return started.code;
  }
  const { fn, checked } = started;
  try {
    const call = async (): Promise<unknown> => {
      if (!isFlow(fn)) return fn(checked);
      const run = { runId: process.env.ORCH_RUN_ID ?? "", flowName: fn.orchFlow.name };
      return withFlowRun(run, undefined, () => callFlowBody(fn, checked));
    };
    // Results that tasks return without running: reused by a retry from the failure or a
    // resume, or recorded by the run a replay replays.
    const onResume = isFlow(fn) ? fn.orchFlow.resume : undefined;
    const overrides = (await loadReusedResults(onResume)) ?? loadRecordedResults();
    const value = await (overrides ? withTaskOverrides(overrides, call) : call());
    // Kept before the process ends: the run is COMPLETED only once its result is in.
    await keepFlowResult(value);
    await finishRunOutput();
    return 0;
  } catch (error) {
    reportFlowError(error, root);
    await finishRunOutput();
    return 1;
  }
}

/** The flow and the parameters it gets, or the exit code of one that cannot start (told). */
async function startable(
  file: string,
  name: string,
  parameters: Record<string, unknown>,
  root: string,
): Promise<{ fn: (params: object) => unknown; checked: Record<string, unknown> } | { code: 2 }> {
  let loaded: Awaited<ReturnType<typeof loadFlow>>;
  try {
    loaded = await loadFlow(file, name);
  } catch (error) {
    reportFlowError(error, root); // a build error or top-level code that threw: its place
    return { code: 2 };
  }
  if ("error" in loaded) {
    // The run's message says what is wrong, rather than "exited with code 2".
    reportFailure(relativeTo(loaded.error, root));
    return { code: 2 };
  }
  const { fn } = loaded;
  if (!isFlow(fn)) return { fn, checked: parameters };
  reportFlowOptions(fn);
  // Checked here too: an ad-hoc run, or a deployment whose schema could not be read, must not
  // hand the flow values of the wrong type. Told without a stack: no line of the flow is at fault.
  try {
    return { fn, checked: await checkAgainst(fn.orchFlow.parameters, parameters, "parameters") };
  } catch (error) {
    reportFailure((error as Error).message);
    return { code: 2 };
  }
}

/**
 * Tell the worker the timeout and retries the flow declares, as soon as it has loaded: an ad-hoc
 * run (`orch flow run`) arms its timeout and sets its retries from this, so the flow's file is
 * loaded (its top level run) once, by the run itself. Why not a process that reads them first,
 * as a deploy does: a top-level side effect (a log line, a file written) would happen twice, and
 * the run would wait for a second start-up of the executable. Nothing is written for a flow that
 * declares none of them.
 */
function reportFlowOptions(fn: Parameters<typeof durationMs>[0]): void {
  try {
    const options: FlowOptionsRecord = {};
    const timeout = durationMs(fn, "timeout");
    if (timeout !== null) options.timeout_ms = Math.round(timeout);
    if (fn.orchFlow.retries !== undefined) options.retries = fn.orchFlow.retries;
    const delay = durationMs(fn, "retryDelay");
    if (delay !== null) options.retry_delay_ms = Math.round(delay);
    if (Object.keys(options).length) writeLines("stderr", encodeFlowOptions(options));
  } catch (error) {
    // An option that is not a duration: the run goes on without them, and its log says why.
    sdkLog.warn(
      `orch could not read this flow's options (${(error as Error).message}): it runs without its own timeout and retries`,
    );
  }
}

/**
 * End the process with `code` once its output is written. Why not process.exit at once: it drops
 * stdout still buffered for a slow reader. The process ends by itself when the flow left nothing
 * open; a forgotten timer or socket only gets EXIT_GRACE_MS.
 */
export function exitAfterFlow(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
}
