import type { WorkerClient } from "../client/index.ts";
import { toOrchError, type WorkerRegistered, type WorkerRegistration } from "../core/index.ts";
import { createBackoff } from "./backoff.ts";
import type { Link } from "./link.ts";
import type { WorkerLogger } from "./worker-logger.ts";

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

/** A remote worker's standing with orch: who it is there now, and how it registers again. */
export interface Registration {
  /** The worker as orch knows it now (a new id once it has registered again). */
  readonly me: WorkerRegistered;
  /** The registering again under way, if any (a claim waits for it). */
  readonly reregistering: Promise<void> | null;
  /** orch no longer counts the worker as online: stop its runs there, register again. */
  rejoin(error: unknown): Promise<void>;
}

/**
 * Register a remote worker (registerWorkerUntilReached) and keep its registration. orch that
 * no longer counts it as online crashed its runs there: `rejoin` has the caller stop the runs
 * of the old id (`onForgotten`) and registers again, once however many ask meanwhile.
 * `onRegistered` hears each id the worker gets.
 */
export async function joinOrch(
  client: WorkerClient,
  registration: WorkerRegistration,
  link: Link,
  signal: AbortSignal,
  logger: WorkerLogger,
  hooks: { onRegistered(id: string): void; onForgotten(id: string): void },
): Promise<Registration> {
  const register = () => registerWorkerUntilReached(client, registration, link, signal);
  let me = await register();
  hooks.onRegistered(me.id);
  let reregistering: Promise<void> | null = null;

  const rejoin = (error: unknown) => {
    reregistering ??= (async () => {
      logger.warn(
        `orch no longer counts this worker as online (${(error as Error).message}); stopping its runs and registering again`,
      );
      hooks.onForgotten(me.id);
      me = await register();
      hooks.onRegistered(me.id);
      logger.info(`registered again as worker ${me.id}`);
    })().finally(() => {
      reregistering = null;
    });
    return reregistering;
  };

  return {
    get me() {
      return me;
    },
    get reregistering() {
      return reregistering;
    },
    rejoin,
  };
}
