import type { WorkerClient } from "../client/index.ts";
import { toOrchError, type WorkerRegistered, type WorkerRegistration } from "../core/index.ts";
import { createBackoff } from "./backoff.ts";
import type { Link } from "./link.ts";

/** Errors of a claim or heartbeat that mean the server no longer knows the worker as online. */
export function isGone(error: unknown): boolean {
  const code = toOrchError(error).code;
  return code === "E_NOT_FOUND" || code === "E_CONFLICT";
}

/**
 * A worker's name when none is given: unique among the processes of one machine (its host is
 * listed beside it), and the same for the worker's whole life, also when it registers again.
 */
export function defaultWorkerName(): string {
  return `remote-${process.pid}`;
}

/** Errors at registration worth waiting out (no server yet), as opposed to a wrong token. */
function isUnreachable(error: unknown): boolean {
  const e = toOrchError(error);
  return e.code === "E_NO_SERVER" || e.code === "E_INTERNAL" || e.status >= 500;
}

/**
 * Register a remote worker, waiting out a server that is not there yet (capped backoff) until
 * `signal` aborts; a refusal that waiting cannot fix (a wrong token) throws at once.
 */
export async function registerWorkerUntilReached(
  client: WorkerClient,
  registration: WorkerRegistration,
  link: Link,
  signal: AbortSignal,
): Promise<WorkerRegistered> {
  const backoff = createBackoff();
  for (;;) {
    try {
      const registered = await client.register(registration);
      link.up();
      return registered;
    } catch (error) {
      if (!isUnreachable(error) || signal.aborted) throw error;
      link.down(error);
      await backoff.wait(signal);
    }
  }
}
