/**
 * Proactive triggers' deadlines ("expect X within 1h"): the windows they wait in, kept in the
 * store, and the timer that fires those that passed. Each firing is one transaction that closes
 * its deadline, records trigger.missed and acts, so a restart neither loses a deadline nor
 * fires it twice.
 */
import {
  closeDeadline,
  dueDeadlines,
  getDeadline,
  nextDeadlineAt,
  putDeadline,
  recordEvent,
  type Store,
} from "../store/index.ts";
import type { ArmedTrigger } from "./armed-triggers.ts";
import {
  type FireDeps,
  fireTrigger,
  type PendingAction,
  type TriggerLogger,
} from "./fire-trigger.ts";
import { triggerEventOf } from "./match-event.ts";

/** The deadline timer looks again at least this often (a clock that jumps is noticed). */
const MAX_TIMER_MS = 30_000;

/**
 * Open a rolling window ("no X in 24h", with no after events nor for_each) for each active
 * proactive trigger that has none, from now (in the caller's transaction).
 */
export function openRollingWindows(store: Store, armed: readonly ArmedTrigger[]): void {
  const now = store.clock.now();
  for (const t of armed) {
    const { spec } = t;
    const rolling = spec.posture === "proactive" && !spec.after && !spec.for_each?.length;
    if (t.active && rolling && !getDeadline(store, t.id, "")) {
      putDeadline(store, {
        trigger: t.id,
        bucket: "",
        due_at: now + spec.within_ms!,
        since: now,
        seen: 0,
        after_event: null,
      });
    }
  }
}

/**
 * Fire each deadline that passed, one transaction each: a rolling window opens the next one, a
 * window an event opened is done. `act` runs what a firing does outside the store.
 */
export function fireDueDeadlines(
  deps: FireDeps,
  byId: ReadonlyMap<string, ArmedTrigger>,
  act: (pending: PendingAction[]) => void,
): void {
  const { store } = deps;
  const now = store.clock.now();
  for (const row of dueDeadlines(store, now)) {
    const trigger = byId.get(row.trigger);
    const pending = store.tx((): PendingAction[] => {
      if (!closeDeadline(store, row.trigger, row.bucket, row.due_at)) return [];
      if (!trigger?.active) return [];
      const { spec } = trigger;
      if (!spec.after && row.bucket === "") {
        putDeadline(store, { ...row, due_at: now + spec.within_ms!, since: now, seen: 0 });
      }
      const missed = recordEvent(store, "trigger.missed", row.bucket || trigger.deployment, {
        deployment: trigger.deployment,
        trigger: trigger.label,
        expected: spec.on,
        within_ms: spec.within_ms,
        since: new Date(row.since).toISOString(),
        for_each: row.bucket || null,
      });
      return fireTrigger(deps, trigger, triggerEventOf(missed), []);
    });
    act(pending);
  }
}

/** The timer that fires deadlines as they come due. */
export interface DeadlineTimer {
  /** Look again at when the next deadline is due (after deadlines were put or moved). */
  schedule(): void;
  stop(): void;
}

/** A timer that calls `fireDue` when the store's next deadline is due. */
export function createDeadlineTimer(
  store: Store,
  logger: TriggerLogger,
  fireDue: () => void,
): DeadlineTimer {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let failing = false;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = null;
    const next = nextDeadlineAt(store);
    if (next === null) return;
    const wait = Math.min(MAX_TIMER_MS, Math.max(failing ? 1000 : 0, next - store.clock.now()));
    timer = setTimeout(() => {
      timer = null;
      try {
        fireDue();
        failing = false;
      } catch (error) {
        // A deadline that cannot fire is tried again a second later, not in a tight loop.
        failing = true;
        logger.error("firing the triggers' deadlines failed:", error);
      }
      schedule();
    }, wait);
  };
  return {
    schedule,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
