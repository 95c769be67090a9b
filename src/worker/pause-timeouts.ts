import { nextPauseTimeout, type Store } from "../store/index.ts";
import { expirePausedRuns } from "./pause-run.ts";
import type { WorkerLogger } from "./worker-logger.ts";

/** Timers never wait longer than this at once (setTimeout's limit is about 24.8 days). */
const MAX_WAIT_MS = 60 * 60_000;

/**
 * Fail paused runs whose pause times out, when it does: one timer, set for the earliest
 * timeout, set again whenever a run pauses or leaves PAUSED. Runs whose timeout passed while
 * orch was down fail at start. Returns the stop.
 */
export function startPauseTimeouts(store: Store, logger: WorkerLogger): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stopped) return;
    try {
      expirePausedRuns(store, store.clock.now());
      const next = nextPauseTimeout(store);
      if (next === null) return;
      const wait = Math.min(MAX_WAIT_MS, Math.max(0, next - store.clock.now()));
      timer = setTimeout(arm, wait);
    } catch (error) {
      logger.error("failing timed-out paused runs failed; trying again in 1 s:", error);
      timer = setTimeout(arm, 1000);
    }
  };
  const unsubscribe = store.subscribe((event) => {
    if (event.name === "flow-run.paused") queueMicrotask(arm);
  });
  arm();
  return () => {
    stopped = true;
    unsubscribe();
    if (timer) clearTimeout(timer);
  };
}
