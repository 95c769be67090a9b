import {
  type Clock,
  createSleepDetector,
  formatDuration,
  type Pacer,
  unpaced,
} from "../core/index.ts";
import {
  deploymentSources,
  deploymentsWithSlotsIn,
  type EventRow,
  getRun,
  nextPlannedRunAt,
  type RunRow,
  type Store,
} from "../store/index.ts";
import type { MissedCause } from "./catch-up.ts";
import { markLateRuns, nextLateAt } from "./mark-late.ts";
import { createPlanQueue, type SchedulerLogger } from "./plan-queue.ts";
import { systemTimers, type Timers } from "./timers.ts";

export type { SchedulerLogger } from "./plan-queue.ts";

export interface SchedulerOptions {
  store: Store;
  /** Defaults to the store's clock. */
  clock?: Clock;
  timers?: Timers;
  logger?: SchedulerLogger;
  /** Runs planned ahead per schedule. Default 10. */
  planAhead?: number;
  /** How far ahead they may be; the next run is always planned. Default 1 day. */
  horizonMs?: number;
  /** A run not started this long after its time is Late. Default 5 s. */
  lateAfterMs?: number;
  /** A timer this much later than asked means the clock jumped (sleep). Default 10 s. */
  jumpAfterMs?: number;
  /** How long before a planned run's time the scheduler wakes. Default 2 ms. */
  leadMs?: number;
  /**
   * How often to compare the wall clock with the awake clock, so what a sleep missed is caught
   * up at once on waking, not when the next planned run's timer fires (timers count awake time:
   * a run due in 8 h, after a night asleep, would wait 8 h more). Default: no watch.
   */
  sleepCheckMs?: number;
  /**
   * Plans many deployments in slices (a transaction each), resting between them so the API
   * answers while thousands are planned. Default: one pass, at once.
   */
  pacer?: Pacer;
}

/** A running scheduler. */
export interface Scheduler {
  /** Plan one deployment again (or all), as after a change. */
  replan(name?: string): void;
  /** Resolves once every deployment asked for is planned, its whole horizon. */
  idle(): Promise<void>;
  /** Resolves once every deployment asked for has the next run of each schedule planned. */
  nextPlanned(): Promise<void>;
  /** How many deployments wait for their next runs to be planned. */
  waiting(): number;
  /** Stop: no timer, no listener. Safe to call twice. */
  stop(): void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Start scheduling: every active schedule's next runs exist in the store as SCHEDULED runs, kept
 * planned as time passes and replanned when a deployment changes (its events), missed slots are
 * caught up at start and after a clock jump, and runs that wait too long are marked Late.
 *
 * How it waits: one timer, set to the earliest of (the next planned run's time minus `leadMs`)
 * and (the time the earliest waiting run becomes Late). Nothing polls: an idle orch wakes only
 * when a run falls due. Waking just before a planned run, not at it, matters after a sleep: the
 * embedded worker's timer points at the same run, and the earlier deadline fires first, so the
 * catch-up policy is applied before a worker can claim the missed runs. A wake that comes much
 * later than asked (the process was suspended: timers count monotonic time, the clock did not
 * stop) is the sign of a sleep. The worker, not this timer, starts runs on time: it keeps its own
 * timer to the next due run.
 */
export function startScheduler(options: SchedulerOptions): Scheduler {
  const { store } = options;
  const clock = options.clock ?? store.clock;
  const timers = options.timers ?? systemTimers;
  const logger = options.logger ?? { info() {}, warn() {}, error() {} };
  const lateAfterMs = options.lateAfterMs ?? 5000;
  const jumpAfterMs = options.jumpAfterMs ?? 10_000;
  const leadMs = options.leadMs ?? 2;
  let stopped = false;
  let timer: unknown = null;
  let watch: unknown = null;
  const slept = createSleepDetector(clock, jumpAfterMs);
  // Since when orch has watched the clock: a run due before it waited because orch was not
  // running (or the machine slept), whatever the workers are doing now.
  let awakeSince = clock.now();
  let expectedAt = 0;
  let armQueued = false;
  const pending = new Map<string, MissedCause | undefined>();
  let flushQueued = false;

  const planner = createPlanQueue({
    store,
    clock,
    logger,
    pacer: options.pacer ?? unpaced,
    leadMs,
    planAhead: options.planAhead ?? 10,
    horizonMs: options.horizonMs ?? 86_400_000,
    lateAfterMs,
    onPlanned: () => {
      markLate();
      arm();
    },
  });
  const { enqueue, kick, failed } = planner;

  /** Slots up to this time have had their deployments planned further ahead. */
  let plannedThrough = clock.now();
  const planAll = (catchup?: MissedCause) => {
    plannedThrough = clock.now() + leadMs;
    for (const row of deploymentSources(store, { all: true })) enqueue(row.name, catchup);
  };

  const markLate = () => {
    try {
      markLateRuns(store, clock.now(), lateAfterMs, awakeSince);
    } catch (error) {
      logger.error("marking late runs failed:", error);
    }
  };

  const arm = () => {
    armQueued = false;
    if (stopped) return;
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    const now = clock.now();
    let target: number | null = null;
    try {
      const planned = nextPlannedRunAt(store, now + leadMs);
      const late = nextLateAt(store, lateAfterMs);
      for (const t of [planned === null ? null : planned - leadMs, late]) {
        if (t !== null && (target === null || t < target)) target = t;
      }
    } catch (error) {
      logger.error("the scheduler could not read the store; trying again in 1 s:", error);
      target = now + 1000;
    }
    if (failed.size && (target === null || target > now + 1000)) target = now + 1000;
    if (target === null) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, target - now));
    expectedAt = now + delay;
    timer = timers.setTimeout(tick, delay);
  };

  const armSoon = () => {
    if (armQueued || stopped) return;
    armQueued = true;
    queueMicrotask(arm);
  };

  const woke = (ms: number) => {
    awakeSince = clock.now();
    logger.warn(
      `the clock moved ${formatDuration(ms)} further than expected (was this machine asleep?); catching up missed runs`,
    );
    planAll("jump");
  };

  const tick = () => {
    timer = null;
    if (stopped) return;
    // A timer that fires late tells of a sleep too, when the clock cannot tell awake time.
    const jumped = Math.max(slept(), clock.now() - expectedAt);
    if (jumped > jumpAfterMs) {
      woke(jumped);
    } else {
      // Only deployments whose slots came due since the last tick need planning further ahead.
      const until = clock.now() + leadMs;
      for (const name of deploymentsWithSlotsIn(store, plannedThrough, until)) enqueue(name);
      for (const name of failed) enqueue(name);
      plannedThrough = until;
    }
    if (planner.waiting()) kick();
    else {
      markLate();
      arm();
    }
  };

  const checkSleep = () => {
    watch = null;
    if (stopped) return;
    const ms = slept();
    if (ms > 0) {
      woke(ms);
      kick();
    }
    watch = timers.setTimeout(checkSleep, options.sleepCheckMs!);
  };

  const flush = () => {
    flushQueued = false;
    if (stopped) return;
    for (const [name, cause] of pending) enqueue(name, cause);
    pending.clear();
    kick();
  };

  /**
   * Whether the armed timer already fires by the time a new run could turn Late. Why: every run
   * created (a trigger through the API, a burst of them) would otherwise re-read the store's
   * next planned and next late times in the request that made it; a run due now can only move
   * the timer earlier than `lateAfterMs` from now, which the armed timer usually is already.
   */
  const covers = (run: RunRow | null | undefined) =>
    timer !== null &&
    run?.state_name === "Scheduled" &&
    expectedAt <= run.scheduled_at + lateAfterMs;

  /**
   * Runs made that the armed timer does not cover, looked at once the events of their commit are
   * all out: a run claimed in the commit that made it (its next event says so) can no longer turn
   * Late, and is not read again. Only the rest are read, in case they changed since.
   */
  const made = new Set<string>();
  let lookQueued = false;
  const lookAtMade = () => {
    lookQueued = false;
    const ids = [...made];
    made.clear();
    if (stopped) return;
    for (const id of ids) {
      const run = getRun(store, id);
      if (run?.state_type === "SCHEDULED" && !covers(run)) return armSoon();
    }
  };

  const onEvent = (event: EventRow) => {
    if (stopped) return;
    if (event.name.startsWith("deployment.") && event.resource) {
      const cause = event.name === "deployment.resumed" ? "paused" : pending.get(event.resource);
      pending.set(event.resource, cause);
      if (!flushQueued) {
        flushQueued = true;
        queueMicrotask(flush);
      }
    } else if (event.name === "flow-run.scheduled" && event.resource) {
      // The run as its event left it: a timer that covers it covers it, whatever happened since.
      if (planner.inBatch() || covers(event.run)) return;
      made.add(event.resource);
      if (!lookQueued) {
        lookQueued = true;
        queueMicrotask(lookAtMade);
      }
    } else if (event.resource && made.size) made.delete(event.resource);
  };
  const unsubscribe = store.subscribe(onEvent);

  planAll("downtime");
  kick();
  if (options.sleepCheckMs) watch = timers.setTimeout(checkSleep, options.sleepCheckMs);

  return {
    replan(name) {
      if (stopped) return;
      if (name === undefined) planAll();
      else enqueue(name);
      kick();
    },
    idle: planner.idle,
    nextPlanned: planner.nextPlanned,
    waiting: planner.waiting,
    stop() {
      if (stopped) return;
      stopped = true;
      planner.stop();
      unsubscribe();
      if (timer !== null) timers.clearTimeout(timer);
      if (watch !== null) timers.clearTimeout(watch);
      timer = null;
      watch = null;
    },
  };
}
