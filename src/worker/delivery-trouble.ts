import { toOrchError } from "../core/index.ts";
import type { Link } from "./link.ts";
import type { WorkerLogger } from "./worker-logger.ts";

/** How a remote worker's outbox tells that its requests fail, and that they go through again. */
export interface DeliveryTrouble {
  /** A run's request (`what` it carries) failed and is sent again with backoff. */
  failed(runId: string, what: string, error: unknown): void;
  /** A run's request went through. */
  delivered(runId: string): void;
  /** Runs whose next request orch answered with an error. */
  readonly failing: number;
  clear(): void;
}

/**
 * Create it over the link. Nothing answered (E_NO_SERVER): orch is lost, the link says so once,
 * and that it is back. Orch answered with an error that may pass (5xx, 401, 403): the run's
 * report is said once, and once it goes through. Why not "orch is lost" then: other requests go
 * through, and the link would be lost and found again at each try of a report orch keeps failing.
 */
export function createDeliveryTrouble(link: Link, logger: WorkerLogger): DeliveryTrouble {
  const failing = new Set<string>();
  return {
    failed(runId, what, error) {
      if (toOrchError(error).code === "E_NO_SERVER") link.down(error);
      else if (!failing.has(runId)) {
        failing.add(runId);
        logger.warn(
          `run ${runId}: orch failed ${what} (${(error as Error).message}); sending it again with backoff, and this run's later reports after it`,
        );
      }
    },
    delivered(runId) {
      link.up();
      if (failing.delete(runId)) {
        logger.info(`run ${runId}: orch took what it had failed; delivering the rest`);
      }
    },
    get failing() {
      return failing.size;
    },
    clear() {
      failing.clear();
    },
  };
}
