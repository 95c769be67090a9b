import type { DeploymentSpec } from "../core/index.ts";
import type { RunRow } from "./run-row.ts";

/** What a run was triggered with that goes over its version's spec. */
export interface RunOptions {
  timeout_ms?: number;
  env?: Record<string, string>;
}

/**
 * The spec one run executes: its version's, with the run's own timeout and env over it. The
 * embedded worker and the jobs sent to remote workers both read it here.
 */
export function specForRun(spec: DeploymentSpec, run: Pick<RunRow, "options">): DeploymentSpec {
  if (!run.options) return spec;
  const options = JSON.parse(run.options) as RunOptions;
  return {
    ...spec,
    ...(options.timeout_ms !== undefined ? { timeout_ms: options.timeout_ms } : {}),
    ...(options.env ? { env: { ...spec.env, ...options.env } } : {}),
  };
}
