import { spawn } from "node:child_process";
import { defineCommand } from "citty";
import { findProjectRoot } from "../core/paths.ts";
import { installSdkPackage } from "./init-sdk-package.ts";
import { log } from "./output.ts";

/**
 * `orch test [ARGS]`: run the project's flow tests (`*.test.ts`, …) with this executable alone,
 * as Bun's test runner (no Bun or Node needed on PATH). File filters go to the runner, and so does
 * everything after `--` (`orch test -- -t etl --watch`). The project's node_modules/orch is
 * brought up to date first.
 */
export default defineCommand({
  meta: {
    name: "test",
    description: "Run the project's flow tests (orch/testing) with orch alone",
  },
  args: {
    filters: {
      type: "positional",
      required: false,
      valueHint: "FILTER...",
      description: "Test files to run (by part of their path); after --, options for the runner",
    },
    dir: {
      type: "string",
      description: "The project (default: the nearest with flows/ or .orch/)",
    },
  },
  async run({ rawArgs, args }) {
    const root = findProjectRoot(args.dir);
    if (!root) {
      log.error(
        "no orch project here: run orch test inside a project (a folder with flows/), or pass --dir",
      );
      return 2;
    }
    const sdk = installSdkPackage(root);
    if (sdk === "written") log.info("wrote node_modules/orch (the SDK of this orch)");
    if (sdk === "foreign")
      log.warn("node_modules/orch is a package orch did not write; tests use it as it is");
    const passed: string[] = [];
    for (let i = 0; i < rawArgs.length; i++) {
      const arg = rawArgs[i]!;
      if (arg === "--dir") i++;
      else if (arg !== "--" && !arg.startsWith("--dir=")) passed.push(arg);
    }
    // Why BUN_BE_BUN: it makes this very executable behave as the bun command, test runner included.
    const child = spawn(process.execPath, ["test", ...passed], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, BUN_BE_BUN: "1" },
    });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    const code = await new Promise<number>((resolve) =>
      child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0))),
    );
    process.exitCode = code;
    return code;
  },
});
