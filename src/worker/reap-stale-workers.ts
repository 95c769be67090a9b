import { iso } from "../core/index.ts";
import { listStaleWorkers, type RunRow, type Store } from "../store/index.ts";
import { loseWorker } from "./lose-worker.ts";

/**
 * Mark workers whose last heartbeat is older than `staleAfterMs` offline, and crash the runs they
 * held, which frees their slots (and their deployments' concurrency). The server calls this on a
 * timer; the embedded worker does it with each heartbeat. Returns the runs crashed.
 *
 * `since` is when the caller started listening: nobody could heartbeat to a server that was not
 * running, so silence is only counted from then (a remote worker that waited out a restart keeps
 * its runs).
 */
export function reapStaleWorkers(
  store: Store,
  options: { staleAfterMs: number; exceptId?: string; since?: number },
): RunRow[] {
  const crashed: RunRow[] = [];
  const now = store.clock.now();
  if (options.since !== undefined && now - options.since < options.staleAfterMs) return crashed;
  for (const worker of listStaleWorkers(store, now - options.staleAfterMs)) {
    if (worker.id === options.exceptId) continue;
    const lost = loseWorker(
      store,
      worker.id,
      (run, w) =>
        `worker ${w.name} on ${w.host} stopped heartbeating (last at ${iso(w.last_heartbeat)}) while this run was ${run.state_type}`,
    );
    crashed.push(...lost);
  }
  return crashed;
}

/**
 * A reaper for a timer every `periodMs`: it counts silence from its start and, after a tick much
 * later than asked for (this machine slept, or the clock jumped), from that tick, since no worker
 * could reach a server that was not running.
 */
export function createReaper(
  store: Store,
  options: { staleAfterMs: number; periodMs: number; exceptId?: string },
): () => RunRow[] {
  let since = store.clock.now();
  let last = since;
  return () => {
    const now = store.clock.now();
    if (now - last > 2 * options.periodMs + 1000) since = now;
    last = now;
    return reapStaleWorkers(store, {
      staleAfterMs: options.staleAfterMs,
      exceptId: options.exceptId,
      since,
    });
  };
}
