import type { StartedRun } from "../core/index.ts";
import {
  type EventRow,
  forgetTriggers,
  getEventCursor,
  lastEventId,
  type Store,
  setEventCursor,
} from "../store/index.ts";
import { type ArmedTrigger, armTriggers } from "./armed-triggers.ts";
import { concerns, evaluateTrigger } from "./evaluate-trigger.ts";
import { type EventFeed, startEventFeed } from "./event-feed.ts";
import {
  type FireDeps,
  fireTrigger,
  type PendingAction,
  type TriggerLogger,
  triggerChainOf,
  triggerFailed,
} from "./fire-trigger.ts";
import { type TriggerEvent, triggerEventOf } from "./match-event.ts";
import { type OutsideDeps, runOutsideAction } from "./outside-actions.ts";
import { createDeadlineTimer, fireDueDeadlines, openRollingWindows } from "./trigger-deadlines.ts";

export type { TriggerLogger } from "./fire-trigger.ts";

const CURSOR = "triggers";

/** What the trigger engine needs: the store, and for actions a cancel verb, secrets, a folder. */
export interface TriggerOptions {
  store: Store;
  logger?: TriggerLogger;
  cancel?: FireDeps["cancel"];
  /** Where shell actions run, with which secrets and environment. */
  outside?: Partial<OutsideDeps>;
  /**
   * On a store whose triggers never ran: the id after which events are handled (default: the
   * last one recorded now). orch up passes the last one before its start, so what its first
   * start emits (its load's `project.loaded`) reaches triggers as every later start's does.
   */
  firstAfter?: number;
}

/** The trigger engine, running. */
export interface TriggerEngine {
  /**
   * Handle the events recorded so far now rather than at the next turn, and say which runs the
   * triggers started for event `eventId` (a webhook answers with them); null when that event is
   * not waiting to be handled (handled already, or the engine is stopped).
   */
  handleNow(eventId: number): StartedRun[] | null;
  /** Stop handling events and deadlines; resolves once started outside actions end. */
  stop(): Promise<void>;
}

/**
 * Start acting on deployments' triggers. The one place events reach them: every event, once
 * committed, is queued (store.subscribe), and handled off the writer's call, one at a time:
 * its effect on each concerned trigger's window (evaluate-trigger.ts), the firings that
 * follow (fire-trigger.ts), and the triggers' event cursor are written in one transaction, so
 * after a crash the events after the cursor are handled again and nothing is counted twice.
 * Proactive triggers' deadlines live in the store; a timer fires those due (trigger-deadlines.ts).
 *
 * Loops: each run a trigger makes keeps the chain of deployments whose runs led to it; a
 * deployment already in the chain is not triggered again by it, and chains stop at MAX_CHAIN.
 */
export function startTriggers(options: TriggerOptions): TriggerEngine {
  const { store } = options;
  const logger = options.logger ?? { info() {}, warn() {}, error() {} };
  /** The runs started for each event someone waits on (handleNow), while it is handled. */
  const awaited = new Map<number, StartedRun[]>();
  /** Runs started by the batch in hand: told to `awaited` only once its transaction commits. */
  let startedInBatch: [number, StartedRun][] = [];
  const deps: FireDeps = {
    store,
    logger,
    cancel: options.cancel,
    started: (eventId, run) => {
      if (awaited.has(eventId)) startedInBatch.push([eventId, run]);
    },
  };
  const outside: OutsideDeps = { cwd: process.cwd(), ...options.outside };
  let armed: ArmedTrigger[] = [];
  let byId = new Map<string, ArmedTrigger>();
  let dirty = true;
  /** Deployments changed since the triggers were read (all of them are read while `dirty`). */
  const changed = new Set<string>();
  let stopped = false;
  const running = new Set<Promise<unknown>>();

  const runPending = (pending: PendingAction[]) => {
    for (const { trigger, action, ctx, firedAt } of pending) {
      const done = runOutsideAction(action, ctx, outside)
        .then((what) =>
          logger.info(`the trigger ${trigger.label} of ${trigger.deployment} ${what}`),
        )
        .catch((error: Error) => triggerFailed(deps, trigger, action, ctx.event, firedAt, error))
        .finally(() => running.delete(done));
      running.add(done);
    }
  };

  const timer = createDeadlineTimer(store, logger, () => {
    if (dirty || changed.size) load();
    fireDueDeadlines(deps, byId, runPending);
  });

  /** Read the triggers again; forget the state of those gone; open rolling windows. */
  const load = () => {
    // Only the deployments that changed are read again. Why: a large project's save is written
    // in slices, each a burst of deployment events, and reading every deployment's spec after
    // each (70 ms at 7,000 deployments) made a redeploy of thousands mostly this.
    armed = dirty
      ? armTriggers(store)
      : [...armed.filter((t) => !changed.has(t.deployment)), ...armTriggers(store, changed)];
    dirty = false;
    changed.clear();
    byId = new Map(armed.map((t) => [t.id, t]));
    store.tx(() => {
      forgetTriggers(
        store,
        armed.filter((t) => t.active).map((t) => t.id),
      );
      openRollingWindows(store, armed);
    });
    timer.schedule();
  };

  /**
   * Handle a batch of events in one transaction (their windows, firings and the cursor), then
   * run the actions that reach outside. One commit per batch rather than per event: a burst of
   * events costs about what recording them cost. Batches are small, so the write lock is never
   * held long.
   */
  const handleBatch = (rows: EventRow[]) => {
    // Nothing to read again and no trigger to act: no transaction (the cursor moves with the
    // save below). Why: most projects have no triggers, and a run's events would otherwise take
    // the write lock and commit twice more per run, a tenth of what one run alone costs.
    if (
      !dirty &&
      !changed.size &&
      !armed.some((t) => t.active) &&
      !rows.some((row) => row.name.startsWith("deployment."))
    )
      return;
    const pending: PendingAction[] = [];
    let deadlinesMoved = false;
    startedInBatch = [];
    store.tx(() => {
      let last = 0;
      rows.forEach((row, i) => {
        if (row.name.startsWith("deployment.")) {
          if (row.resource) changed.add(row.resource);
          else dirty = true;
        }
        // A burst of deployment changes (a redeploy) reads the triggers again once, after it.
        if (
          (dirty || changed.size > 0) &&
          !rows[i + 1]?.name.startsWith("deployment.") &&
          !feed?.peek()?.name.startsWith("deployment.")
        )
          load();
        if (!armed.length) return;
        let event: TriggerEvent;
        let concerned: ArmedTrigger[];
        try {
          event = triggerEventOf(row);
          concerned = armed.filter((t) => t.active && concerns(t, event));
        } catch (error) {
          logger.error(`handling event #${row.id} for triggers failed:`, error);
          return;
        }
        if (!concerned.length) return;
        last = event.id;
        let chain: string[] | null = null;
        for (const t of concerned) {
          try {
            if (store.tx(() => evaluateTrigger(store, t, event))) {
              chain ??= triggerChainOf(store, event);
              pending.push(...fireTrigger(deps, t, event, chain));
            }
          } catch (error) {
            logger.warn(
              `the trigger ${t.label} of ${t.deployment} failed on ${event.name} #${event.id}: ${(error as Error).message}`,
            );
          }
          if (t.spec.posture === "proactive") deadlinesMoved = true;
        }
      });
      if (last) setEventCursor(store, CURSOR, last);
    });
    // Committed: the runs it started exist (a batch rolled back names none).
    for (const [eventId, run] of startedInBatch) awaited.get(eventId)?.push(run);
    startedInBatch = [];
    runPending(pending);
    if (deadlinesMoved) timer.schedule();
  };

  let feed: EventFeed | null = null;
  load();
  // Events recorded after the cursor (a crash between an event and its handling, or the events
  // of a start's own load) are handled again; the first start begins with what happens from now
  // on (or from firstAfter).
  const stored = getEventCursor(store, CURSOR);
  const after = stored ?? options.firstAfter ?? lastEventId(store);
  if (stored === null) setEventCursor(store, CURSOR, after);
  feed = startEventFeed({
    store,
    after,
    handle: handleBatch,
    failed: (rows, error) =>
      logger.error(
        `handling events #${rows[0]!.id}-${rows.at(-1)!.id} for triggers failed:`,
        error,
      ),
  });
  // Events no trigger cares about move the cursor only now and then (it bounds what a crash
  // makes the next start look at again; looking again at them changes nothing).
  // Only when it moved: an idle server writes nothing.
  let saved = -1;
  const save = setInterval(() => {
    const handledThrough = feed.handledThrough();
    if (handledThrough === saved) return;
    try {
      setEventCursor(store, CURSOR, handledThrough);
      saved = handledThrough;
    } catch (error) {
      logger.error("saving how far the triggers got failed:", error);
    }
  }, 5000);
  timer.schedule();
  return {
    handleNow(eventId) {
      if (stopped) return null;
      const runs: StartedRun[] = [];
      awaited.set(eventId, runs);
      try {
        // Through this event, in order; what came after waits for the next turn.
        return feed.handleThrough(eventId) ? runs : null;
      } finally {
        awaited.delete(eventId);
      }
    },
    async stop() {
      clearInterval(save);
      feed.stop();
      stopped = true;
      timer.stop();
      setEventCursor(store, CURSOR, feed.handledThrough());
      await Promise.all([...running]);
    },
  };
}
