/**
 * A flow called from any program (a script run with `bun` or `node`, an application, a REPL) is
 * a tracked run, as `orch flow run` makes one: with its tasks, logs and result. Where it goes:
 * 1. the project's running server (.orch/server.json and .orch/token), when one answers;
 * 2. else the project's store, through orch itself: the SDK starts `orch __record`, which
 *    serves the store's API on a loopback port for this call only. Why not open the store here:
 *    Node has no bun:sqlite (nor, on Node 20, node:sqlite), and one writer of the store's format
 *    (orch's own code, of the same version as this SDK) is what keeps it sound;
 * 3. else (no project, no orch to record through) the flow runs untracked, with one warning.
 * The project is the nearest folder with flows/ or .orch/, from the current one up.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { relative } from "node:path";
import { findServer } from "../client/find-server.ts";
import { findProjectRoot, projectPaths } from "../core/paths.ts";
import { realTimers } from "../core/timers.ts";
import type { LogLineInput, RunJson, WorkerRegistered } from "../core/wire/index.ts";
import { callFlowBody, type Flow } from "./flow.ts";
import { withFlowRun } from "./flow-context.ts";
import { captureConsole } from "./logger.ts";
import { checkAgainst } from "./parameters.ts";
import { flushTargetReports } from "./reporter.ts";
import { keepFlowResult } from "./result.ts";
import { requestApi } from "./run-context.ts";
import { type RunTarget, type TargetLogLine, withRunTarget } from "./run-target.ts";

/** The pool ad-hoc runs are recorded under (as worker/run-ad-hoc-flow.ts names it). */
const AD_HOC_POOL = "ad-hoc";

/** An API to record through, and what to do once the call is over. */
interface Recorder {
  url: string;
  token: string;
  close(): void;
}

let warned = false;
function warnUntracked(name: string, why: string): void {
  if (warned) return;
  warned = true;
  process.stderr.write(`orch: flow ${name} runs untracked: ${why}\n`);
}

/** How this SDK reaches orch: the command its package.json names (written by orch init). */
function orchCommand(): string[] | null {
  try {
    const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
    return Array.isArray(pkg?.orch?.command) ? (pkg.orch.command as string[]) : null;
  } catch {
    return null;
  }
}

/** Start `orch __record` for the project at `root`: its API, once it says where it is. */
function startRecorder(command: string[], root: string): Promise<Recorder> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, [...command.slice(1), "__record", "--dir", root], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let out = "";
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`orch __record ended (exit code ${code})`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf("\n");
      if (newline < 0) return;
      const { url, token } = JSON.parse(out.slice(0, newline)) as { url: string; token: string };
      // It ends when its input closes: when this call is over, or this process is gone.
      resolve({ url, token, close: () => child.stdin!.end() });
    });
  });
}

/** Where this process's flow calls are recorded, or why they cannot be. */
async function findRecorder(): Promise<Recorder | { why: string }> {
  const root = findProjectRoot(undefined);
  if (!root) return { why: "no orch project here (a folder with flows/ or .orch/, here or above)" };
  const server = findServer(projectPaths(root));
  if (server?.token) return { url: server.url.replace(/\/$/, ""), token: server.token, close() {} };
  const command = orchCommand();
  if (!command) {
    return {
      why: `no orch server is running for ${root}, and orch itself was not found to record into its store (run orch init there to write node_modules/orch)`,
    };
  }
  try {
    return await startRecorder(command, root);
  } catch (error) {
    return { why: `orch could not record into ${root}'s store: ${(error as Error).message}` };
  }
}

/**
 * Call `made` from outside any run, tracked: a run of its own (ad hoc, named after the flow),
 * its states, tasks, logs and result recorded as a worker's would be. Resolves or rejects as
 * the flow does.
 */
export async function callTracked(made: Flow<object, unknown>, params: object): Promise<unknown> {
  const name = made.orchFlow.name;
  const plain = async (runId = "") => {
    const given = params as Record<string, unknown>;
    const checked = await checkAgainst(made.orchFlow.parameters, given, "parameters");
    return withFlowRun({ runId, flowName: name }, undefined, () => callFlowBody(made, checked));
  };
  const recorder = await findRecorder();
  if ("why" in recorder) {
    warnUntracked(name, recorder.why);
    return plain();
  }
  const call = <T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown) =>
    requestApi<T>(
      recorder.url,
      recorder.token,
      method,
      path,
      method === "GET" ? undefined : JSON.stringify(body ?? {}),
    );
  let worker: WorkerRegistered;
  let run: RunJson;
  const parameters = { ...(params as Record<string, unknown>) };
  try {
    worker = await call<WorkerRegistered>("POST", "/api/workers", {
      name: "flow-call",
      pool: AD_HOC_POOL,
      host: hostname(),
      concurrency: 1,
      pid: process.pid,
    });
    const script = process.argv[1] ? relative(process.cwd(), process.argv[1]) || name : name;
    run = await call<RunJson>("POST", "/api/runs", {
      flow: script,
      name,
      parameters,
      worker_id: worker.id,
    });
  } catch (error) {
    recorder.close();
    warnUntracked(name, `orch did not take the run: ${(error as Error).message}`);
    return plain();
  }
  const at = (id: string) => `/api/workers/${encodeURIComponent(id)}`;
  const runAt = `${at(worker.id)}/runs/${encodeURIComponent(run.id)}`;
  const report = (body: { type: string; name?: string; message?: string }) =>
    call("POST", `${runAt}/state`, body).catch(() => {});
  // Lines are sent in order, a batch at a time, numbered as a worker numbers its attempt's lines.
  let lines: LogLineInput[] = [];
  let next = 1;
  let sending: Promise<unknown> = Promise.resolve();
  const flush = () => {
    if (!lines.length) return sending;
    const batch = { attempt: 1, first: next, lines };
    next += lines.length;
    lines = [];
    sending = sending.then(() => call("POST", `${runAt}/logs`, batch).catch(() => {}));
    return sending;
  };
  const log = (line: TargetLogLine) => {
    const stream = line.level === "warn" || line.level === "error" ? "stderr" : "stdout";
    const fields = line.subflow ? { ...line.fields, subflow_run: line.subflow } : line.fields;
    lines.push({
      at: Date.now(),
      stream,
      line: line.line,
      level: line.level,
      ...(fields ? { fields } : {}),
    });
    // The program's own output shows the lines too, as an untracked call prints them.
    (stream === "stderr" ? process.stderr : process.stdout).write(`${line.line}\n`);
    if (lines.length >= 500) void flush();
  };
  const flushing = setInterval(() => void flush(), 200);
  const beating = setInterval(
    () => void call("POST", `${at(worker.id)}/heartbeat`).catch(() => {}),
    worker.heartbeat_ms,
  );
  flushing.unref?.();
  beating.unref?.();
  const target: RunTarget = {
    runId: run.id,
    deployment: null,
    attempt: 1,
    parameters,
    apiUrl: recorder.url,
    call: (method, path, body) => call(method, path, body),
    log,
    timers: realTimers,
    localSlots: false,
    secrets: {},
    variables: {},
  };
  captureConsole();
  await report({ type: "RUNNING" });
  try {
    const value = await withRunTarget(target, async () => {
      const value = await plain(run.id);
      await keepFlowResult(value, run.id);
      return value;
    });
    await flushTargetReports(target);
    await flush();
    await report({ type: "COMPLETED" });
    return value;
  } catch (error) {
    const message = error instanceof Error ? error.message || error.name : String(error);
    log({ level: "error", line: error instanceof Error ? (error.stack ?? message) : message });
    await flushTargetReports(target);
    await flush();
    await report({ type: "FAILED", message });
    throw error;
  } finally {
    clearInterval(flushing);
    clearInterval(beating);
    await call("POST", `${at(worker.id)}/offline`).catch(() => {});
    recorder.close();
  }
}
