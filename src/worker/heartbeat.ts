import type { WorkerClient } from "../client/index.ts";
import { isRetryable } from "./is-retryable.ts";
import type { Link } from "./link.ts";

/** Who heartbeats: read before each beat (a worker that registered again has a new id). */
export interface Beating {
  id: string;
  heartbeat_ms: number;
}

/**
 * Heartbeat a remote worker (or `orch flow run`'s one-shot worker) every `heartbeat_ms` until
 * the returned stop is called. Each answer lists the worker's runs being cancelled
 * (`onCancel`); a server that is away is the link's to report; any other failure goes to
 * `onError` (a worker the server no longer knows registers again there).
 */
export function startHeartbeat(
  client: WorkerClient,
  worker: () => Beating,
  link: Link,
  hooks: { onCancel(ids: string[]): void; onError?(error: unknown): Promise<void> | void },
): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const beat = async () => {
    try {
      const { cancel } = await client.heartbeat(worker().id);
      link.up();
      hooks.onCancel(cancel);
    } catch (error) {
      if (isRetryable(error)) link.down(error);
      else await hooks.onError?.(error);
    }
    if (!stopped) timer = setTimeout(beat, worker().heartbeat_ms);
  };
  timer = setTimeout(beat, worker().heartbeat_ms);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
