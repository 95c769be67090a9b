import { isAbsolute, join } from "node:path";
import type { RunJob } from "./run-job.ts";

/**
 * Where a run's command works: its `cwd:` inside its files (`files`: the run's copy, or where a
 * container mounts them), or an absolute folder as given, on the machine (or in the container)
 * that runs it.
 */
export function runFolder(job: RunJob, files: string = job.bundleDir): string {
  const cwd = job.spec.cwd || ".";
  return isAbsolute(cwd) ? cwd : join(files, cwd);
}
