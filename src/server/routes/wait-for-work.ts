import type { ClaimResponseJson } from "../../core/index.ts";
import type { Store } from "../../store/index.ts";
import { wakesWorker } from "../../worker/index.ts";

/** One look for a worker's work: what to answer, and when the next run falls due. */
export interface WorkLook {
  response: ClaimResponseJson;
  nextDueAt: number | null;
}

const NOTHING: ClaimResponseJson = { jobs: [], cancel: [] };

/**
 * A claim's long poll: look again whenever work may have appeared, until there is some (or a
 * cancel), `waitMs` passes or the request goes away; then answer. Why no polling: it waits on the
 * store's events (the same wake events as the embedded worker: a run scheduled, a slot freed, a
 * cancel, a deployment or pool changed) and on one timer for the next run falling due.
 */
export function waitForWork(
  store: Store,
  signal: AbortSignal,
  waitMs: number,
  first: WorkLook,
  look: () => WorkLook,
): Promise<ClaimResponseJson> {
  return new Promise<ClaimResponseJson>((resolve, reject) => {
    const deadline = Date.now() + waitMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let queued = false;
    let done = false;
    const finish = (outcome: ClaimResponseJson | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener("abort", onAbort);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const arm = (nextDueAt: number | null) => {
      clearTimeout(timer);
      const until = nextDueAt === null ? waitMs : nextDueAt - store.clock.now();
      const ms = Math.max(0, Math.min(deadline - Date.now(), until));
      timer = setTimeout(again, ms);
    };
    const again = () => {
      queued = false;
      if (done) return;
      if (signal.aborted) return onAbort();
      if (Date.now() >= deadline) return finish(NOTHING);
      try {
        const next = look();
        if (next.response.jobs.length || next.response.cancel.length) finish(next.response);
        else arm(next.nextDueAt);
      } catch (error) {
        finish(error as Error);
      }
    };
    const onAbort = () => finish(NOTHING);
    // Events come as their transaction commits: look once that caller is done.
    const unsubscribe = store.subscribe((event) => {
      if (queued || done || !wakesWorker(event.name)) return;
      queued = true;
      setImmediate(again);
    });
    signal.addEventListener("abort", onAbort);
    arm(first.nextDueAt);
  });
}
