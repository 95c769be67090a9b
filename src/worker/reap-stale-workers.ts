import { hostname } from "node:os";
import { createSleepDetector, iso } from "../core/index.ts";
import { listStaleWorkers, type RunRow, type Store } from "../store/index.ts";
import { loseWorker } from "./lose-worker.ts";
import { isAlive } from "./process-tree.ts";
import { stopLeftover } from "./recover-runs.ts";
import type { WorkerLogger } from "./worker-logger.ts";

/**
 * Mark workers whose last heartbeat is older than `staleAfterMs` offline, and end the runs they
 * held (loseWorker: PENDING ones requeued, the rest CRASHED), which frees their slots (and their
 * deployments' concurrency). The server calls this on a
 * timer; the embedded worker does it with each heartbeat. Returns the runs ended or requeued. When such a
 * worker ran on this host and its process is gone (killed), what its runs left running (a
 * flow's children) is stopped in the background, found by each run's mark (see stopLeftover).
 *
 * `since` is when the caller started listening: nobody could heartbeat to a server that was not
 * running, so silence is only counted from then (a remote worker that waited out a restart keeps
 * its runs).
 */
export function reapStaleWorkers(
  store: Store,
  options: {
    staleAfterMs: number;
    exceptId?: string;
    since?: number;
    graceMs?: number;
    /** Told when stopping what a lost worker's runs left behind fails (in the background). */
    logger?: WorkerLogger;
  },
): RunRow[] {
  const crashed: RunRow[] = [];
  const here = hostname();
  const leftovers: { run: RunRow; attempt: number }[] = [];
  const now = store.clock.now();
  if (options.since !== undefined && now - options.since < options.staleAfterMs) return crashed;
  for (const worker of listStaleWorkers(store, now - options.staleAfterMs)) {
    if (worker.id === options.exceptId) continue;
    // Silent is not dead: a worker cut off from us (or frozen) may still run it, and report its
    // end once back. Only a worker known dead (here, its process gone) left its runs behind.
    const dead = worker.host === here && worker.pid !== null && !isAlive(worker.pid);
    const lost = loseWorker(
      store,
      worker.id,
      (run, w) => {
        // The attempt its processes carry: a PENDING run's next one may already have started.
        const attempt = run.state_type === "PENDING" ? run.attempt + 1 : run.attempt;
        if (dead) leftovers.push({ run, attempt });
        return `worker ${w.name} on ${w.host} stopped heartbeating (last at ${iso(w.last_heartbeat)}) while this run was ${run.state_type}`;
      },
      // What a dead worker here started is stopped in the background below: requeued at once,
      // the run's next start could carry the same mark and be stopped with it.
      { mayHaveStarted: () => dead },
    );
    crashed.push(...lost);
  }
  // Only this attempt's: the run may be retried at once, and its next attempt is not lost.
  const graceMs = options.graceMs ?? 5000;
  for (const { run, attempt } of leftovers) {
    stopLeftover(run, { local: true, graceMs, attempt }).catch((error) =>
      options.logger?.error(`stopping what run ${run.id} left running failed:`, error),
    );
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
  options: { staleAfterMs: number; periodMs: number; exceptId?: string; logger?: WorkerLogger },
): () => RunRow[] {
  let since = store.clock.now();
  let last = since;
  const slept = createSleepDetector(store.clock, options.periodMs);
  return () => {
    const now = store.clock.now();
    // The scheduler's notion of a sleep (wall against awake time), and a tick far later than
    // asked for where the clock cannot tell.
    if (slept() > 0 || now - last > 2 * options.periodMs + 1000) since = now;
    last = now;
    return reapStaleWorkers(store, {
      staleAfterMs: options.staleAfterMs,
      exceptId: options.exceptId,
      since,
      logger: options.logger,
    });
  };
}
