import { join } from "node:path";
import type { FlowMetadata } from "../core/index.ts";
import { selfCommand } from "./self-command.ts";

/** Reads what a TypeScript flow declares: its metadata, or why it could not be read. */
export type FlowDescriber = (
  folder: string,
  path: string,
  exportName: string,
) => FlowMetadata | { error: string };

/** How long a flow module may take to import at deploy time. */
const DESCRIBE_TIMEOUT_MS = 20_000;

/**
 * A describer that imports the flow in a child process of orch itself (`orch __flow-describe`):
 * the module's top-level code runs there, not in the server, and its flow is never called.
 * Synchronous, as the deployer is; the deployer calls it only for files whose content changed.
 */
export function createFlowDescriber(self: string[] = selfCommand()): FlowDescriber {
  return (folder, path, exportName) => {
    const env: Record<string, string | undefined> = { ...process.env };
    // Not a run: a flow that looks for its run finds none.
    for (const key of ["ORCH_RUN_ID", "ORCH_API_URL", "ORCH_API_TOKEN", "ORCH_PARAMETERS"]) {
      delete env[key];
    }
    const proc = Bun.spawnSync([...self, "__flow-describe", join(folder, path), exportName], {
      cwd: folder,
      env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      timeout: DESCRIBE_TIMEOUT_MS,
    });
    const stderr = proc.stderr.toString().trim();
    if (proc.exitCode !== 0) {
      const why =
        proc.exitCode === null
          ? `did not load within ${DESCRIBE_TIMEOUT_MS / 1000} s`
          : stderr.split("\n").slice(-3).join(" ") || `exited with code ${proc.exitCode}`;
      return { error: why };
    }
    const last = proc.stdout.toString().trim().split("\n").at(-1) ?? "";
    try {
      return JSON.parse(last) as FlowMetadata;
    } catch {
      return { error: "its description could not be read (did its top-level code print?)" };
    }
  };
}
