import type { WorkerClient } from "../client/index.ts";
import type { WorkerJob } from "../core/index.ts";
import { createBackoff } from "./backoff.ts";
import { isRetryable } from "./is-retryable.ts";
import type { Link } from "./link.ts";
import { isGone } from "./register-worker.ts";
import type { RemoteRuns } from "./remote-runs.ts";
import type { WorkerLogger } from "./worker-logger.ts";

export interface ClaimLoopOptions {
  client: WorkerClient;
  link: Link;
  logger: WorkerLogger;
  /** Runs at once. */
  concurrency: number;
  /** How long one claim waits for work before asking again. */
  claimWaitMs: number;
  runs: RemoteRuns;
  /** The worker's id on the server now. */
  workerId(): string;
  /** Under way while the worker registers again: claims wait for it. */
  reregistering(): Promise<void> | null;
  /** The server no longer knows the worker as online: register again. */
  rejoin(error: unknown): Promise<void>;
  /** The server delivered a job. */
  start(job: WorkerJob): void;
  /** The server says a run of ours is cancelled. */
  cancel(runId: string): void;
  /** Aborts when the worker stops taking runs. */
  signal: AbortSignal;
}

/** A remote worker's claims, running until its signal aborts. */
export interface ClaimLoop {
  /** Resolves once the loop has ended. */
  readonly done: Promise<void>;
  /** A slot was freed: a claim waiting with fewer slots than the worker now has is asked again. */
  wake(): void;
  /** End the claim waiting now (the loop ends too once the signal has aborted). */
  interrupt(): void;
}

/**
 * Keep one claim open: a long poll the server answers the moment a run is due or a run of ours
 * is cancelled, asking for as many runs as the worker has free slots; retried with backoff
 * while the server is away.
 */
export function runClaimLoop(options: ClaimLoopOptions): ClaimLoop {
  const { client, link, logger, runs, concurrency, signal } = options;
  let claimAbort: AbortController | null = null;
  let claimLimit = 0;

  const loop = async () => {
    const backoff = createBackoff();
    while (!signal.aborted) {
      const reregistering = options.reregistering();
      if (reregistering) await reregistering.catch(() => {});
      const limit = Math.max(0, concurrency - runs.running.size);
      const abort = new AbortController();
      claimAbort = abort;
      claimLimit = limit;
      try {
        const answer = await client.claim(
          options.workerId(),
          {
            limit,
            wait_ms: options.claimWaitMs,
            held: runs.heldIds(),
            cancelling: runs.cancellingIds(),
          },
          abort.signal,
        );
        link.up();
        backoff.reset();
        for (const id of answer.cancel) options.cancel(id);
        for (const job of answer.jobs) options.start(job);
      } catch (error) {
        if (abort.signal.aborted) continue;
        if (isGone(error)) {
          await options.rejoin(error).catch(() => {});
          continue;
        }
        if (isRetryable(error)) link.down(error);
        else logger.error("claiming runs failed:", (error as Error).message);
        await backoff.wait(signal);
      } finally {
        claimAbort = null;
      }
    }
  };

  return {
    done: loop(),
    wake() {
      if (claimAbort && !signal.aborted && claimLimit < concurrency - runs.running.size) {
        claimAbort.abort();
      }
    },
    interrupt() {
      claimAbort?.abort();
    },
  };
}
