import {
  type ActionSpec,
  errorLine,
  formatDuration,
  type TriggeredBy,
  type TriggerFailure,
  triggerFailureLine,
  triggerRunKey,
} from "../core/index.ts";
import {
  actedSince,
  createDeploymentRun,
  deploymentSpec,
  firingsSince,
  getDeployment,
  getRun,
  heldBackSince,
  recordEvent,
  recordFiring,
  recordFiringFailure,
  type Store,
  setDeploymentPaused,
} from "../store/index.ts";
import type { ArmedTrigger } from "./armed-triggers.ts";
import type { TriggerEvent } from "./match-event.ts";
import { renderParameters, renderTemplates, type TemplateContext } from "./render-parameters.ts";

/** Where the engine's messages go. */
export interface TriggerLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** What firing needs beside the store: how to cancel a run (the worker's verb), a logger. */
export interface FireDeps {
  store: Store;
  logger: TriggerLogger;
  cancel?: (store: Store, runId: string, message: string) => unknown;
  /** Told of each run a firing started (in the firing's transaction), by the event's id. */
  started?: (eventId: number, run: { id: string; deployment: string }) => void;
}

/** An action left for after the commit (it reaches outside the store), with its context. */
export interface PendingAction {
  trigger: ArmedTrigger;
  action: ActionSpec;
  ctx: TemplateContext;
  /** When its trigger fired: the firing a failure of the action is recorded on. */
  firedAt: number;
}

/** Runs a chain of triggers may make in a row (a -> b -> c ...). */
export const MAX_CHAIN = 8;

/** The chain that led to an event: for a run's event, its run's chain and its deployment. */
export function triggerChainOf(store: Store, event: TriggerEvent): string[] {
  if (!event.name.startsWith("flow-run.") || !event.resource) return [];
  const run = getRun(store, event.resource);
  const before = run?.trigger_chain ? (JSON.parse(run.trigger_chain) as string[]) : [];
  const deployment = typeof event.payload.deployment === "string" ? event.payload.deployment : null;
  return deployment ? [...before, deployment] : before;
}

/** What happened, in one line, for notifications: "etl run 1a2b3c4d Failed: exit code 1". */
export function describeEvent(event: TriggerEvent): string {
  const p = event.payload;
  if (event.name.startsWith("flow-run.") && event.resource) {
    const state = String(p.state_name ?? p.state ?? event.name.slice("flow-run.".length));
    const message = typeof p.message === "string" && p.message ? `: ${p.message}` : "";
    return `${p.deployment ?? "ad-hoc"} run ${event.resource.slice(0, 8)} ${state}${message}`;
  }
  if (event.name === "trigger.missed") {
    return `${p.deployment}: no ${p.expected} within ${formatDuration(Number(p.within_ms))}${p.for_each ? ` for ${p.for_each}` : ""}`;
  }
  return `${event.name}${event.resource ? ` (${event.resource})` : ""}`;
}

/**
 * Fire a trigger on an event, in the caller's transaction: its rate cap first (a firing over
 * it is recorded as held back, and the first one held back in a window emits
 * trigger.rate-limited), then the actions that change the store (run, pause, resume, cancel),
 * each in its own savepoint so one failing leaves the others. The actions that reach outside
 * (webhook, shell, notify) are returned, to run once the transaction commits: a crash can lose
 * them, but never make them twice. `chain` is the deployments whose runs led to the event:
 * a run action never starts one of them again (loop protection).
 */
export function fireTrigger(
  deps: FireDeps,
  trigger: ArmedTrigger,
  event: TriggerEvent,
  chain: string[],
): PendingAction[] {
  const { store, logger } = deps;
  const { spec } = trigger;
  const now = store.clock.now();
  if (spec.rate_limit) {
    const { limit, per_ms } = spec.rate_limit;
    if (actedSince(store, trigger.id, now - per_ms, limit) >= limit) {
      const first = !heldBackSince(store, trigger.id, now - per_ms);
      recordFiring(store, trigger.id, now, event.id, true);
      if (first) {
        const { last } = firingsSince(store, trigger.id, now - per_ms);
        recordEvent(store, "trigger.rate-limited", trigger.deployment, {
          deployment: trigger.deployment,
          trigger: trigger.label,
          limit,
          per_ms,
          until: new Date((last ?? now) + per_ms).toISOString(),
        });
        logger.warn(
          `the trigger ${trigger.label} of ${trigger.deployment} fired ${limit} times within ${formatDuration(per_ms)}, its rate limit: it holds back further firings until the window moves on`,
        );
      }
      return [];
    }
  }
  recordFiring(store, trigger.id, now, event.id, false);
  const ctx: TemplateContext = {
    event,
    trigger: { deployment: trigger.deployment, name: trigger.label },
    message: `orch: ${describeEvent(event)}`,
  };
  const pending: PendingAction[] = [];
  const actions: ActionSpec[] = spec.actions ?? [{ type: "run" }];
  actions.forEach((action, i) => {
    if (action.type === "webhook" || action.type === "shell" || action.type === "notify") {
      pending.push({ trigger, action, ctx, firedAt: now });
      return;
    }
    try {
      store.tx(() => storeAction(deps, trigger, action, i, ctx, chain));
    } catch (error) {
      triggerFailed(deps, trigger, action, event, now, error);
    }
  });
  return pending;
}

/**
 * An action of a trigger failed (its run's parameters do not fit the schema, a webhook is
 * down...): the server's log says why, with each problem, and so does a `trigger.failed` event,
 * which the events feed and the monitor show and other triggers may act on. A failure on a
 * `trigger.failed` event is only logged: a trigger on them that fails would feed itself.
 */
export function triggerFailed(
  deps: FireDeps,
  trigger: ArmedTrigger,
  action: ActionSpec,
  event: TriggerEvent,
  firedAt: number,
  error: unknown,
): void {
  const failure: TriggerFailure = {
    deployment: trigger.deployment,
    trigger: trigger.label,
    action: action.type,
    event: event.name,
    event_id: event.id,
    message: errorLine(error),
  };
  deps.logger.warn(triggerFailureLine(failure));
  recordFiringFailure(deps.store, trigger.id, firedAt, event.id, failure.message);
  if (event.name === "trigger.failed") return;
  recordEvent(deps.store, "trigger.failed", trigger.deployment, { ...failure });
}

/** A deployment's default parameters, as its runs take them ({} when it is gone). */
function deploymentDefaults(store: Store, name: string): Record<string, unknown> {
  const row = getDeployment(store, name);
  return row ? deploymentSpec(row).parameters : {};
}

/** Do one action that changes the store: run, pause or resume a deployment, cancel a run. */
function storeAction(
  deps: FireDeps,
  trigger: ArmedTrigger,
  action: ActionSpec,
  index: number,
  ctx: TemplateContext,
  chain: string[],
): void {
  const { store, logger } = deps;
  const { event } = ctx;
  const target = action.deployment
    ? String(renderTemplates(action.deployment, ctx))
    : trigger.deployment;
  const by = `the trigger ${trigger.label} of ${trigger.deployment} on ${event.name} #${event.id}`;
  if (action.type === "run") {
    if (chain.includes(target)) return; // its own runs, or a loop back to it
    if (chain.length >= MAX_CHAIN) {
      logger.warn(
        `${target} not triggered by ${event.name} #${event.id}: a chain of triggers stops after ${MAX_CHAIN} deployments (${chain.join(" -> ")})`,
      );
      return;
    }
    const triggeredBy: TriggeredBy = {
      deployment: trigger.deployment,
      trigger: trigger.label,
      event: event.name,
      event_id: event.id,
      webhook: event.name.startsWith("webhook.") ? event.name.slice("webhook.".length) : null,
    };
    const run = createDeploymentRun(store, target, {
      base:
        target === trigger.deployment
          ? renderParameters(trigger.spec.parameters, event, ctx, {
              defaults: () => deploymentDefaults(store, target),
              onFallback: (key, why) =>
                logger.info(`${by}: ${why}, so parameter ${key} takes ${target}'s default`),
            })
          : {},
      // A second run action of the same trigger has its own key (the event id stays last).
      idempotencyKey: triggerRunKey(
        trigger.deployment,
        index ? `${trigger.key}.${index}` : trigger.key,
        event.id,
      ),
      createdBy: "trigger",
      message: `triggered by ${event.name}${event.resource ? ` of ${event.resource}` : ""} (event #${event.id})`,
      triggerChain: chain,
      triggeredBy,
    });
    deps.started?.(event.id, { id: run.id, deployment: target });
    logger.info(`run ${run.id.slice(0, 8)} (${target}) triggered by ${event.name} #${event.id}`);
  } else if (action.type === "pause" || action.type === "resume") {
    if (setDeploymentPaused(store, target, action.type === "pause")) {
      logger.info(`${by} ${action.type === "pause" ? "paused" : "resumed"} ${target}`);
    }
  } else if (action.type === "cancel") {
    const runId = action.run
      ? String(renderTemplates(action.run, ctx))
      : event.name.startsWith("flow-run.")
        ? event.resource
        : null;
    if (!runId)
      throw new Error('the event names no run; say which: cancel: "{{ event.payload.run }}"');
    if (!deps.cancel) throw new Error("runs cannot be cancelled here");
    deps.cancel(store, runId, `cancelled by ${by}`);
    logger.info(`${by} cancelled run ${runId.slice(0, 8)}`);
  }
}
