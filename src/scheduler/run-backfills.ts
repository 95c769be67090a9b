import { iso, OrchError } from "../core/index.ts";
import {
  advanceBackfill,
  backfillRunCounts,
  backfillSchedule,
  createDeploymentRun,
  getBackfill,
  hasCompletedRunAt,
  runningBackfillIds,
  type Store,
  setBackfillStatus,
} from "../store/index.ts";
import { nextSlot } from "./backfill-slots.ts";
import { backfillRange } from "./create-backfill.ts";
import type { SchedulerLogger } from "./start-scheduler.ts";

/** Slots one transaction handles at most, so skipping a long run of slots never holds the lock long. */
const BATCH = 200;

/** The idempotency key of a backfill's slot: one run per slot, however often it is fed. */
export function backfillSlotKey(id: string, at: number): string {
  return `backfill:${id}:${iso(at)}`;
}

/**
 * Feed one backfill: while fewer than its max_concurrency runs are unfinished, make the run of
 * its next slot (or skip the slot when --only-missing finds a COMPLETED run for it). Each slot's
 * run and the cursor move in one transaction, and the run's key names the slot, so a backfill
 * killed at any point resumes with no slot twice and none skipped. A backfill with no slot left
 * and no unfinished run is completed. Returns true when it stopped at the batch limit and has
 * more to do now.
 *
 * A backfill's run is due when it is fed (scheduled_at now, its slot in slot_at): the claim
 * takes it after every other due run (it yields to scheduled runs), and Late means it waited
 * after being fed, not that its slot is in the past.
 */
export function feedBackfill(store: Store, id: string): boolean {
  return store.tx(() => {
    let row = getBackfill(store, id);
    if (row?.status !== "running") return false;
    const range = backfillRange(row);
    const schedule = backfillSchedule(row);
    let active = backfillRunCounts(store, id).active;
    for (let steps = 0; steps < BATCH; steps++) {
      const at = nextSlot(range, row.cursor);
      if (at === undefined) {
        if (active === 0) setBackfillStatus(store, id, "completed", "every slot was handled");
        return false;
      }
      if (active >= row.max_concurrency) return false;
      if (row.only_missing && hasCompletedRunAt(store, row.deployment_id, at)) {
        row = advanceBackfill(store, id, at, false);
        continue;
      }
      createDeploymentRun(store, row.deployment, {
        base: schedule.parameters,
        scheduledAt: store.clock.now(),
        idempotencyKey: backfillSlotKey(id, at),
        createdBy: "backfill",
        message: `backfill ${id.slice(0, 8)}: the run of ${iso(at)} (slot ${row.created + row.skipped + 1} of ${row.total})`,
        backfill: { id, slotAt: at },
      });
      row = advanceBackfill(store, id, at, true);
      active++;
    }
    return true;
  });
}

/** A running backfill runner. */
export interface BackfillRunner {
  /** Feed every running backfill now (after one is created or resumed). */
  poke(): void;
  stop(): void;
}

/**
 * Keep running backfills fed: at start (a backfill resumes where it was after a restart or a
 * kill), when one is created or resumed, and whenever a run ends (a slot of its max_concurrency
 * freed). A backfill that cannot make its run (its deployment was removed, its parameters no
 * longer fit the schema) is paused with the reason, not retried in a loop.
 */
export function startBackfills(options: {
  store: Store;
  logger?: SchedulerLogger;
}): BackfillRunner {
  const { store } = options;
  const logger = options.logger ?? { info() {}, warn() {}, error() {} };
  let stopped = false;
  let queued = false;

  const feedAll = () => {
    queued = false;
    if (stopped) return;
    let again = false;
    for (const id of runningBackfillIds(store)) {
      try {
        again = feedBackfill(store, id) || again;
      } catch (error) {
        const why = error instanceof OrchError ? error.message : String(error);
        logger.error(`backfill ${id.slice(0, 8)} paused: ${why}`);
        try {
          setBackfillStatus(store, id, "paused", `paused: ${why}`);
        } catch (inner) {
          logger.error(`could not pause backfill ${id.slice(0, 8)}:`, inner);
        }
      }
    }
    if (again) poke();
  };
  const poke = () => {
    if (queued || stopped) return;
    queued = true;
    queueMicrotask(feedAll);
  };

  const unsubscribe = store.subscribe((event) => {
    if (event.name === "backfill.updated") {
      if ((JSON.parse(event.payload) as { status?: string }).status === "running") poke();
    } else if (event.name.startsWith("flow-run.") && !event.name.endsWith(".scheduled")) {
      poke();
    }
  });
  feedAll();
  return {
    poke,
    stop() {
      stopped = true;
      unsubscribe();
    },
  };
}
