import type { WorkerLogger } from "./worker-logger.ts";

/** Whether the server answers, as a remote worker sees it; says so once per change. */
export interface Link {
  /** A request failed for want of a server. */
  down(error: unknown): void;
  /** A request succeeded. */
  up(): void;
  readonly isUp: boolean;
}

/**
 * Create a link to the server at `url` that logs when it is lost and when it is back; `hint`
 * says, when it is lost, what happens if orch comes back at another address.
 */
export function createLink(logger: WorkerLogger, url: string, hint?: string): Link {
  let isUp = true;
  let reached = false;
  return {
    down(error) {
      if (!isUp) return;
      isUp = false;
      const why = (error as Error).message;
      logger.warn(
        reached
          ? `lost orch at ${url} (${why}); runs go on, their states and logs are kept, reconnecting with backoff${hint ? `; ${hint}` : ""}`
          : `cannot reach orch at ${url} yet (${why}); trying again with backoff${hint ? `; ${hint}` : ""}`,
      );
    },
    up() {
      const wasDown = !isUp;
      isUp = true;
      if (wasDown) {
        logger.info(
          reached
            ? `reconnected to orch at ${url}; delivering what was kept`
            : `reached orch at ${url}`,
        );
      }
      reached = true;
    },
    get isUp() {
      return isUp;
    },
  };
}
