import type { DeploymentSpec, TriggerSpec } from "../core/index.ts";
import {
  deploymentSpec,
  type EventRow,
  eventsAfter,
  getEventCursor,
  lastEventId,
  listDeployments,
  type RunRow,
  type Store,
  setEventCursor,
} from "../store/index.ts";
import { matchesTrigger, type TriggerEvent } from "./match-event.ts";
import { renderParameters } from "./render-parameters.ts";

/** How the triggers make a run (createDeploymentRun, passed in: definitions/ imports this folder). */
export type CreateTriggeredRun = (
  store: Store,
  deployment: string,
  request: {
    base?: Record<string, unknown>;
    idempotencyKey?: string;
    createdBy?: string;
    message?: string;
  },
) => RunRow;

export interface TriggerLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const CURSOR = "triggers";

/**
 * Start acting on deployments' triggers: every event, as it is recorded, is matched against the
 * triggers of active deployments, and each match creates a run with the trigger's parameters
 * (templated from the event). A run's idempotency key is the deployment, the trigger and the
 * event, so an event handled twice (after a crash, events after the saved cursor are handled
 * again) never makes two runs. A deployment's own runs do not trigger it, so a deployment that
 * reacts to flow-run.completed cannot loop on itself.
 */
export function startTriggers(options: {
  store: Store;
  createRun: CreateTriggeredRun;
  logger?: TriggerLogger;
}): { stop(): void } {
  const { store, createRun } = options;
  const logger = options.logger ?? { info() {}, warn() {}, error() {} };
  let armed: { name: string; index: number; trigger: TriggerSpec }[] = [];
  const load = () => {
    armed = listDeployments(store).flatMap((row) => {
      if (row.paused) return [];
      const spec: DeploymentSpec = deploymentSpec(row);
      return spec.triggers.map((trigger, index) => ({ name: row.name, index, trigger }));
    });
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
    for (const { name, index, trigger } of armed) {
      if (event.name.startsWith("flow-run.") && event.payload.deployment === name) continue;
      if (!matchesTrigger(trigger, event)) continue;
      try {
        store.tx(() => {
          const run = createRun(store, name, {
            base: renderParameters(trigger.parameters, event),
            idempotencyKey: `trigger:${name}:${index}:${event.id}`,
            createdBy: "trigger",
            message: `triggered by ${event.name}${event.resource ? ` of ${event.resource}` : ""} (event #${event.id})`,
          });
          setEventCursor(store, CURSOR, event.id);
          logger.info(
            `run ${run.id.slice(0, 8)} (${name}) triggered by ${event.name} #${event.id}`,
          );
        });
      } catch (error) {
        logger.warn(
          `trigger ${index + 1} of ${name} on ${event.name} #${event.id} made no run: ${(error as Error).message}`,
        );
      }
    }
  };

  load();
  // Events recorded after the last run a trigger made (a crash between an event and its run)
  // are handled again; the first start begins with what happens from now on.
  const cursor = getEventCursor(store, CURSOR);
  if (cursor === null) setEventCursor(store, CURSOR, lastEventId(store));
  else {
    for (let after = cursor; ; ) {
      const missed = eventsAfter(store, after, 1000);
      for (const row of missed) handle(row);
      if (missed.length < 1000) break;
      after = missed.at(-1)!.id;
    }
  }
  const unsubscribe = store.subscribe(handle);
  // Every event is handled as it is recorded; saving how far now and then bounds what a crash
  // makes the next start handle again.
  const save = setInterval(() => {
    try {
      setEventCursor(store, CURSOR, lastEventId(store));
    } catch (error) {
      logger.error("saving how far the triggers got failed:", error);
    }
  }, 5000);
  return {
    stop() {
      clearInterval(save);
      unsubscribe();
      setEventCursor(store, CURSOR, lastEventId(store));
    },
  };
}
