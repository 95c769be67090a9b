import { formatDuration } from "../core/index.ts";
import {
  earliestOnTimeRunAt,
  type RunRow,
  runsToMarkLate,
  runWait,
  type Store,
  transitionRun,
} from "../store/index.ts";

/**
 * The late rule: a run still SCHEDULED (named Scheduled) `lateAfterMs` after its time gets the
 * sub-state Late, once, with the reason when one is known, so `runs ls` shows why it waits.
 * AwaitingRetry runs keep their name: their wait is deliberate. A Late run still starts as soon
 * as a worker claims it; Late only says what happened. Returns the runs marked.
 */
export function markLateRuns(
  store: Store,
  now: number,
  lateAfterMs: number,
  awakeSince = Number.NEGATIVE_INFINITY,
): RunRow[] {
  return store.tx(() =>
    runsToMarkLate(store, now - lateAfterMs).map((run) => {
      // Late before orch was there to start it: that is the reason, not today's workers.
      const why =
        run.scheduled_at + lateAfterMs < awakeSince
          ? "orch was stopped (or this machine slept) while it waited"
          : lateReason(store, run);
      return transitionRun(store, run.id, {
        type: "SCHEDULED",
        name: "Late",
        message: `late: not started ${formatDuration(now - run.scheduled_at)} after its time; ${why}`,
      }).run;
    }),
  );
}

/** When the earliest run that may become Late does, or null when none can. */
export function nextLateAt(store: Store, lateAfterMs: number): number | null {
  const at = earliestOnTimeRunAt(store);
  return at === null ? null : at + lateAfterMs;
}

/**
 * Why a due run has not started, as far as the store can tell: a pause, no worker, the limit
 * the claim holds it back by (the claim's own rule, store's heldBackBy), or busy workers.
 */
export function lateReason(store: Store, run: RunRow): string {
  const wait = runWait(store, run);
  const pool = run.work_pool;
  const queue = `${pool}/${run.work_queue}`;
  if (wait.poolPaused) return `its work pool ${pool} is paused`;
  if (wait.queuePaused) return `its work queue ${queue} is paused`;
  if (wait.workers === 0) {
    return `no worker is online for work pool ${pool} (start one: orch worker --pool ${pool})`;
  }
  const held = wait.heldBack;
  if (held) {
    const what = {
      pool: `work pool ${pool}`,
      queue: `work queue ${queue}`,
      deployment: `deployment ${run.deployment}`,
    }[held.by];
    return `${what} is at its concurrency limit (${held.active} of ${held.limit} runs active)`;
  }
  if (wait.activeInPool >= wait.slots) {
    const runs = `${wait.activeInPool} ${wait.activeInPool === 1 ? "run" : "runs"} active`;
    return `every worker of work pool ${pool} is busy (${runs}, ${wait.slots} ${wait.slots === 1 ? "slot" : "slots"})`;
  }
  return "no worker has claimed it yet";
}
