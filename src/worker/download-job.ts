import type { WorkerJob } from "../core/index.ts";
import { createBackoff } from "./backoff.ts";
import { isRetryable } from "./is-retryable.ts";
import type { Link } from "./link.ts";
import type { RunJob } from "./run-job.ts";

/**
 * Turns a remote worker's jobs into jobs for the runner: the version's files downloaded once
 * (through the bundle cache), waiting out a server that is away until the attempt is cancelled
 * or stopped. A version with no files runs in `workDir`. The embedded worker's twin is
 * createJobLoader, which reads the store instead.
 */
export function createJobDownloader(
  bundles: (hash: string) => Promise<string>,
  workDir: string,
  link: Link,
): (job: WorkerJob, signal: AbortSignal) => Promise<RunJob> {
  return async (job, signal) => {
    let bundleDir = workDir;
    const backoff = createBackoff();
    while (job.bundle) {
      try {
        bundleDir = await bundles(job.bundle);
        break;
      } catch (error) {
        if (signal.aborted || !isRetryable(error)) {
          throw new Error(`could not download the version's files: ${(error as Error).message}`);
        }
        link.down(error);
        await backoff.wait(signal);
      }
    }
    return {
      runId: job.run_id,
      deployment: job.deployment,
      spec: job.spec,
      parameters: job.parameters,
      bundleDir,
      inPlace: !job.bundle,
      attempt: job.attempt,
      values: { secrets: job.secrets ?? {}, variables: job.variables ?? {} },
      ...(job.scheduled_at ? { scheduledAt: job.scheduled_at } : {}),
      ...(job.infrastructure ? { infrastructure: job.infrastructure } : {}),
    };
  };
}
