import {
  type DeploymentSpec,
  stableStringify,
  type TriggerSpec,
  triggerRunKey,
} from "../core/index.ts";
import {
  createDeploymentRun,
  deploymentSpec,
  type EventRow,
  eventsAfter,
  getEventCursor,
  getRun,
  lastEventId,
  listDeployments,
  type Store,
  setEventCursor,
} from "../store/index.ts";
import { matchesTrigger, type TriggerEvent } from "./match-event.ts";
import { renderParameters } from "./render-parameters.ts";

export interface TriggerLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const CURSOR = "triggers";
/** Runs a chain of triggers may make in a row (a -> b -> c ...). */
const MAX_CHAIN = 8;

/**
 * Start acting on deployments' triggers: every event, once recorded, is matched against the
 * triggers of active deployments, and each match creates a run with the trigger's parameters
 * (templated from the event). A run's idempotency key is the deployment, the trigger and the
 * event, so an event handled twice (after a crash, events after the saved cursor are handled
 * again) never makes two runs.
 *
 * Loops: each run a trigger makes keeps the chain of deployments whose runs led to it; a
 * deployment already in the chain is not triggered again by it, and chains stop at MAX_CHAIN.
 * So `a` and `b` each triggered by the other's completion run once each, not forever. Events
 * are handled from a queue, one at a time, never inside the commit of the event before.
 */
export function startTriggers(options: { store: Store; logger?: TriggerLogger }): { stop(): void } {
  const { store } = options;
  const logger = options.logger ?? { info() {}, warn() {}, error() {} };
  let armed: { name: string; key: string; trigger: TriggerSpec }[] = [];
  const load = () => {
    armed = listDeployments(store).flatMap((row) => {
      if (row.paused) return [];
      const spec: DeploymentSpec = deploymentSpec(row);
      return spec.triggers.map((trigger) => ({
        name: row.name,
        // The trigger's identity is its content, so reordering triggers keeps their keys.
        key: new Bun.CryptoHasher("sha256")
          .update(stableStringify(trigger))
          .digest("hex")
          .slice(0, 12),
        trigger,
      }));
    });
  };

  /** The chain that led to an event: for a run's event, its run's chain and its deployment. */
  const chainOf = (event: TriggerEvent): string[] => {
    if (!event.name.startsWith("flow-run.") || !event.resource) return [];
    const run = getRun(store, event.resource);
    const before = run?.trigger_chain ? (JSON.parse(run.trigger_chain) as string[]) : [];
    const deployment =
      typeof event.payload.deployment === "string" ? event.payload.deployment : null;
    return deployment ? [...before, deployment] : before;
  };

  const handle = (row: EventRow) => {
    if (row.name.startsWith("deployment.")) load();
    if (!armed.length) return;
    const event: TriggerEvent = {
      id: row.id,
      name: row.name,
      resource: row.resource,
      payload: JSON.parse(row.payload),
    };
    const matched = armed.filter(({ trigger }) => matchesTrigger(trigger, event));
    if (!matched.length) return;
    const chain = chainOf(event);
    for (const { name, key, trigger } of matched) {
      if (chain.includes(name)) continue; // its own runs, or a loop back to it
      if (chain.length >= MAX_CHAIN) {
        logger.warn(
          `${name} not triggered by ${event.name} #${event.id}: a chain of triggers stops after ${MAX_CHAIN} deployments (${chain.join(" -> ")})`,
        );
        continue;
      }
      try {
        store.tx(() => {
          const run = createDeploymentRun(store, name, {
            base: renderParameters(trigger.parameters, event),
            idempotencyKey: triggerRunKey(name, key, event.id),
            createdBy: "trigger",
            message: `triggered by ${event.name}${event.resource ? ` of ${event.resource}` : ""} (event #${event.id})`,
            triggerChain: chain,
          });
          setEventCursor(store, CURSOR, event.id);
          logger.info(
            `run ${run.id.slice(0, 8)} (${name}) triggered by ${event.name} #${event.id}`,
          );
        });
      } catch (error) {
        logger.warn(
          `a trigger of ${name} on ${event.name} #${event.id} made no run: ${(error as Error).message}`,
        );
      }
    }
  };

  const queue: EventRow[] = [];
  let draining = false;
  /** Every event up to this id has been handled. */
  let handledThrough = 0;
  const drain = () => {
    draining = false;
    for (let row = queue.shift(); row; row = queue.shift()) {
      try {
        handle(row);
      } catch (error) {
        logger.error(`handling event #${row.id} for triggers failed:`, error);
      }
      handledThrough = row.id;
    }
  };
  const enqueue = (row: EventRow) => {
    queue.push(row);
    if (!draining) {
      draining = true;
      setImmediate(drain);
    }
  };

  load();
  // Events recorded after the last run a trigger made (a crash between an event and its run)
  // are handled again; the first start begins with what happens from now on.
  const cursor = getEventCursor(store, CURSOR);
  handledThrough = lastEventId(store);
  if (cursor === null) setEventCursor(store, CURSOR, handledThrough);
  else {
    for (let after = cursor; ; ) {
      const missed = eventsAfter(store, after, 1000);
      for (const row of missed) handle(row);
      if (missed.length < 1000) break;
      after = missed.at(-1)!.id;
    }
  }
  const unsubscribe = store.subscribe(enqueue);
  // Every event is handled as it is recorded; saving how far now and then bounds what a crash
  // makes the next start handle again.
  const save = setInterval(() => {
    try {
      setEventCursor(store, CURSOR, handledThrough);
    } catch (error) {
      logger.error("saving how far the triggers got failed:", error);
    }
  }, 5000);
  return {
    stop() {
      clearInterval(save);
      unsubscribe();
      drain();
      setEventCursor(store, CURSOR, handledThrough);
    },
  };
}
