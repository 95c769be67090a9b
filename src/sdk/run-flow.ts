/**
 * The flow-run entry (`orch __flow-run FILE EXPORT [ROOT]`): what a worker starts for a TypeScript
 * flow. ROOT is the folder of the run's code, which its errors' paths are told relative to.
 * It loads the SDK and the flow and nothing else (no CLI, server or TUI), so a run starts fast.
 */
import { resolve } from "node:path";
import { dieWithParent } from "../worker/libc.ts";
import { callFlowBody, isFlow } from "./flow.ts";
import { withFlowRun } from "./flow-context.ts";
import * as sdk from "./index.ts";
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
    // Results that tasks return without running: reused by a retry from the failure, or
    // recorded by the run a replay replays.
    const overrides = (await loadReusedResults()) ?? loadRecordedResults();
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
 * End the process with `code` once its output is written. Why not process.exit at once: it drops
 * stdout still buffered for a slow reader. The process ends by itself when the flow left nothing
 * open; a forgotten timer or socket only gets EXIT_GRACE_MS.
 */
export function exitAfterFlow(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
}
