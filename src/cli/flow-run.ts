import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { defineCommand } from "citty";
import { createWorkerClient, findServer } from "../client/index.ts";
import { findProjectRoot, OrchError, projectPaths } from "../core/index.ts";
import { write } from "../core/stdio.ts";
import { becomeSubreaper, runAdHocFlow } from "../worker/index.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { paintState } from "./format.ts";
import { abortOnInterrupt } from "./interrupt.ts";
import { wholeNumberArg } from "./number-arg.ts";
import { c, log, printJson, rawArg, showLogLine } from "./output.ts";
import { parseParams, repeated } from "./parse-params.ts";
import { timeoutArg } from "./run-options.ts";

const FLOW_FILE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

/** `FILE` or `FILE:EXPORT`, as a definition's `flow:` takes it. */
export function parseFlowRef(ref: string): { file: string; exportName: string } {
  const colon = ref.lastIndexOf(":");
  if (colon > 0) {
    const name = ref.slice(colon + 1);
    if (/^[A-Za-z_$][\w$]*$/.test(name) && FLOW_FILE.test(ref.slice(0, colon))) {
      return { file: ref.slice(0, colon), exportName: name };
    }
  }
  return { file: ref, exportName: "default" };
}

export default defineCommand({
  meta: {
    name: "run",
    description: "Run a TypeScript flow file here, tracked like any run (FILE or FILE:EXPORT)",
  },
  args: {
    file: {
      type: "positional",
      description: "The flow's file, FILE or FILE:EXPORT (default export: default)",
      required: true,
    },
    param: {
      type: "string",
      alias: ["p"],
      description: "A parameter, key=value (repeatable); JSON values are parsed",
    },
    params: { type: "string", description: "Parameters as a JSON object (-p values go over it)" },
    name: { type: "string", description: "A name for the run's record" },
    timeout: { type: "string", description: "This run's timeout: 10m (over the flow's own)" },
    retries: {
      type: "string",
      description: "Retries of a failed attempt (over the flow's own)",
    },
    ...connectArgs,
    ...jsonArg,
    ...rawArg,
  },
  async run({ args, rawArgs }) {
    const { file, exportName } = parseFlowRef(args.file);
    const path = resolve(file);
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new OrchError("E_BAD_INPUT", `no flow file ${file} (looked for ${path})`);
    }
    if (!FLOW_FILE.test(path)) {
      throw new OrchError(
        "E_BAD_INPUT",
        `${file} is not a TypeScript or JavaScript file; to run a command, give it a deployment with command: in flows/`,
      );
    }
    // The file's exports, read without running it: a missing one is bad input, not a failed run.
    const loader = /\.tsx$/.test(path)
      ? "tsx"
      : /\.jsx$/.test(path)
        ? "jsx"
        : /\.m?js$/.test(path)
          ? "js"
          : "ts";
    let exported: string[] | null = null;
    try {
      exported = new Bun.Transpiler({ loader }).scan(readFileSync(path, "utf8")).exports;
    } catch {
      // A syntax error is the run's to report, with its position, when the flow loads.
    }
    if (exported && !exported.includes(exportName)) {
      throw new OrchError(
        "E_BAD_INPUT",
        `${file} has no export named ${exportName} (it exports ${exported.join(", ") || "nothing"}); name one with ${file}:NAME`,
      );
    }
    const parameters = parseParams(repeated(rawArgs, ["p", "param"]), args.params, null);
    const timeoutMs = args.timeout === undefined ? undefined : timeoutArg(args.timeout);
    const retries = wholeNumberArg(args.retries, "--retries", { min: 0, max: 1000 }, undefined);
    const target = findServer(projectPaths(findProjectRoot(args.dir) ?? "."), args);
    const conn = await connect(args, { local: true });
    // With no server, the flow still reports its tasks, result, artifacts and subflows: to this
    // process's API over the project's store, served on a loopback port for it alone.
    const loopback = conn.local
      ? (await import("../server/loopback-api.ts")).serveOnLoopback(conn.local)
      : null;
    const interrupt = abortOnInterrupt("the run");
    // The flow is the one process this one starts: what it leaves behind is re-parented here.
    becomeSubreaper();
    try {
      const result = await runAdHocFlow({
        client: createWorkerClient(conn.client),
        file: path,
        entry: file,
        exportName,
        ...(args.name ? { name: args.name } : {}),
        parameters,
        // The flow's own timeout and retries come from its first attempt, as it starts.
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(retries !== undefined ? { retries } : {}),
        ...(conn.remote && target ? { apiUrl: target.url, token: target.token } : {}),
        ...(loopback ? { apiUrl: loopback.url, token: loopback.token } : {}),
        logger: log,
        signal: interrupt.signal,
        onRun: (run) =>
          log.info(
            `run ${c.bold(run.id.slice(0, 8), "stderr")} of ${file} (ad hoc${conn.remote ? "" : ", no server"})`,
          ),
        onLogs: (lines) => {
          for (const l of lines) showLogLine(l, { json: args.json, raw: args.raw });
        },
      });
      if (args.json) printJson(result.run);
      else {
        const { run } = result;
        const how = run.exit_code !== null ? ` (exit code ${run.exit_code})` : "";
        const message = result.message ? `: ${result.message}` : "";
        write(
          "stderr",
          `${c.gray("run", "stderr")} ${run.id.slice(0, 8)} ${paintState(result.state, run.state_name)}${how}${message}\n`,
        );
      }
      if (result.state === "COMPLETED") return 0;
      // The flow's entry exits 2 for bad input (a file that does not load, parameters its
      // schema refuses): so does this command, as for any bad input.
      return result.run.exit_code === 2 ? 2 : 1;
    } finally {
      interrupt.release();
      await loopback?.stop();
      conn.close();
    }
  },
});
