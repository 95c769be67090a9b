import type { Clock, Pacer } from "../core/index.ts";
import type { Store } from "../store/index.ts";
import type { MissedCause } from "./catch-up.ts";
import {
  type LaterSlots,
  type PlanInput,
  planDeployment,
  planNextSlots,
} from "./plan-deployment.ts";

/** Where the scheduler reports (the server passes its logger). */
export interface SchedulerLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface PlanQueueOptions {
  store: Store;
  clock: Clock;
  logger: SchedulerLogger;
  /** Plans in slices (a transaction each), resting between them. */
  pacer: Pacer;
  /** How long before a planned run's time the scheduler wakes. */
  leadMs: number;
  /** Runs planned ahead per schedule. */
  planAhead: number;
  /** How far ahead they may be; the next run is always planned. */
  horizonMs: number;
  /** A run not started this long after its time is Late. */
  lateAfterMs: number;
  /**
   * Every queued deployment has its next runs (and again as a pass ends): the scheduler marks
   * late runs and sets its timer.
   */
  onPlanned(): void;
}

/** The deployments waiting to be planned, planned in paced batches. */
export interface PlanQueue {
  /** Queue a deployment, with why its missed slots are caught up. */
  enqueue(name: string, cause?: MissedCause): void;
  /** Start planning what is queued (its first batch at once), unless a pass is under way. */
  kick(): void;
  /** Deployments whose planning failed: tried again at each tick, and within a second. */
  readonly failed: ReadonlySet<string>;
  /** Whether a batch is being planned (its runs are announced as it commits). */
  inBatch(): boolean;
  /** Resolves once every deployment asked for is planned, its whole horizon. */
  idle(): Promise<void>;
  /** Resolves once every deployment asked for has the next run of each schedule planned. */
  nextPlanned(): Promise<void>;
  /** How many deployments wait for their next runs to be planned. */
  waiting(): number;
  /** Plan nothing more. */
  stop(): void;
}

/**
 * Create the scheduler's planning queue. Deployments to plan wait with why their missed slots
 * are caught up. Planning happens in batches: one transaction holds as many deployments as the
 * pacer's slice allows (a start of 10,000 deployments is some hundreds of commits, not 10,000),
 * with a rest between batches. Two rounds: each queued deployment first gets its missed slots
 * caught up and the next run of each schedule (what the worker needs, and what listings show),
 * then, once every queued one has that, the rest of its horizon (`ahead`), as the first round
 * found it: those are plain inserts, with nothing read again, made in time order (every
 * deployment's second slot, then every third: see planNextSlots). A large project is runnable
 * after a tenth of the work; a small one does both rounds in its first batch. A deployment
 * queued again (it changed, or a slot of it came due) loses what the first round kept of it,
 * and is planned afresh.
 */
export function createPlanQueue(options: PlanQueueOptions): PlanQueue {
  const { store, clock, logger, pacer, leadMs, planAhead } = options;
  let stopped = false;
  const failed = new Set<string>();

  /**
   * Plan one deployment: its whole horizon, or (`next`) the next run of each schedule, with the
   * rest of its horizon returned to insert later (null when planning failed).
   */
  const plan = (name: string, catchup?: MissedCause, next = false): LaterSlots[] | null => {
    const input: PlanInput = {
      store,
      now: clock.now(),
      leadMs,
      planAhead,
      horizonMs: options.horizonMs,
      graceMs: options.lateAfterMs,
      ...(catchup ? { catchup } : {}),
      ...(next ? { nextFirst: true } : {}),
    };
    try {
      const result = planDeployment(input, name);
      failed.delete(name);
      for (const problem of result.problems) logger.error(`cannot plan ${name}: ${problem}`);
      for (const c of result.catchup) {
        if (c.missed) {
          logger.info(
            `${name}: ${c.missed} missed ${c.missed === 1 ? "run" : "runs"}; ran ${c.ran}, skipped ${c.skipped}`,
          );
        }
      }
      return result.later;
    } catch (error) {
      planFailed(name, error);
      return null;
    }
  };
  const planFailed = (name: string, error: unknown) => {
    // Tried again at each tick, and within a second: a deployment whose planning failed may
    // have no planned run left to bring it back otherwise.
    failed.add(name);
    logger.error(`planning ${name} failed; trying again shortly:`, error);
  };

  const queue = new Map<string, MissedCause | undefined>();
  const ahead = new Map<string, LaterSlots[]>();
  // The second round's pass over `ahead`, kept across batches (a Map's iterator skips what was
  // deleted meanwhile and reaches what was added); at its end, the next pass begins.
  let wave = ahead.entries();
  const nextAhead = (): [string, LaterSlots[]] => {
    let step = wave.next();
    if (step.done) {
      wave = ahead.entries();
      step = wave.next();
    }
    return step.value!;
  };
  let draining: Promise<void> | null = null;
  let nextWaiters: (() => void)[] = [];
  const nextDone = () => {
    if (queue.size) return;
    const waiters = nextWaiters;
    nextWaiters = [];
    for (const resolve of waiters) resolve();
  };
  const enqueue = (name: string, cause?: MissedCause) => {
    // A cause already asked for stays: a catch-up is never dropped by a plain replan.
    queue.set(name, cause ?? queue.get(name));
    ahead.delete(name);
  };
  /**
   * Whether a batch is being planned: the runs it makes are announced as it commits, and need
   * no look each (the pass sets the timer once its next runs are planned, and as it ends).
   */
  let inBatch = false;
  // Deployments whose batch failed, planned again at once each on its own: the rest of its
  // horizon in one savepoint (a slot at a time costs one per run), so a deployment the store
  // refuses holds up no other. Failing again, it waits for the next tick.
  const careful = new Set<string>();
  /** Insert the rest of a deployment's horizon at once, undone whole if any of it fails. */
  const planRest = (name: string, later: LaterSlots[]) => {
    careful.delete(name);
    try {
      store.tx(() => {
        while (planNextSlots(store, later, clock.now() + leadMs));
      });
    } catch (error) {
      planFailed(name, error);
    }
  };
  /** Plan one batch; true when it failed and its deployments are queued to be planned again. */
  const planBatch = (): boolean => {
    // Each deployment of the batch, with the catch-up its first round was asked for.
    const batch = new Map<string, MissedCause | undefined>();
    inBatch = true;
    try {
      store.tx(() => {
        do {
          if (queue.size) {
            const [name, cause] = queue.entries().next().value!;
            queue.delete(name);
            batch.set(name, cause);
            const later = plan(name, cause, planAhead > 1);
            if (later?.length) ahead.set(name, later);
            else careful.delete(name);
          } else {
            const [name, later] = nextAhead();
            if (!batch.has(name)) batch.set(name, undefined);
            if (careful.has(name)) {
              ahead.delete(name);
              planRest(name, later);
            } else if (!planNextSlots(store, later, clock.now() + leadMs)) ahead.delete(name);
          }
        } while ((queue.size || ahead.size) && !pacer.over());
      });
      return false;
    } catch (error) {
      // The batch's commit failed (the store was busy), or a slot of the second round could not
      // be inserted (a slot has no savepoint of its own): nothing of the batch is kept. Each of
      // its deployments is planned afresh, at once and on its own, or (failing again) shortly.
      let again = false;
      for (const [name, cause] of batch) {
        ahead.delete(name);
        if (careful.delete(name)) failed.add(name);
        else {
          careful.add(name);
          queue.set(name, cause ?? queue.get(name));
          again = true;
        }
      }
      logger.error(
        `planning failed; trying again ${again ? "deployment by deployment" : "shortly"}:`,
        error,
      );
      return again;
    } finally {
      inBatch = false;
      nextDone();
    }
  };
  /** Plan what is queued, in batches; then mark late runs and set the timer. */
  const drain = async () => {
    while ((queue.size || ahead.size) && !stopped) {
      const urgent = queue.size > 0;
      // A failed batch is planned again at once, deployment by deployment (see planBatch).
      if (planBatch()) continue;
      if (urgent && !queue.size) {
        // Every queued deployment has its next runs: the worker's timer points at them now.
        options.onPlanned();
      }
      if (!queue.size && !ahead.size) break;
      try {
        await pacer.rest();
      } catch {
        return; // the pacer was stopped (the server stops): what is queued is planned next start
      }
    }
    options.onPlanned();
  };
  const kick = () => {
    if (draining || stopped) return;
    draining = drain().finally(() => {
      draining = null;
      nextDone();
      if (queue.size || ahead.size) kick();
    });
  };

  return {
    enqueue,
    kick,
    failed,
    inBatch: () => inBatch,
    idle: async () => {
      while (draining) await draining;
    },
    nextPlanned: () =>
      queue.size && draining
        ? new Promise<void>((resolve) => nextWaiters.push(resolve))
        : Promise.resolve(),
    waiting: () => queue.size,
    stop() {
      stopped = true;
    },
  };
}
