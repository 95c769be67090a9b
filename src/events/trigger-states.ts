import { formatDuration, iso, type TriggerStateJson, triggerOn } from "../core/index.ts";
import { FIRINGS_KEPT_MS, firingsSince, type Store, triggerWindow } from "../store/index.ts";
import { armTriggers, triggerKind } from "./armed-triggers.ts";

/** What an action does, in a few words: "run", "webhook", "pause etl". */
function describeAction(action: { type: string; deployment?: string }): string {
  return action.deployment ? `${action.type} ${action.deployment}` : action.type;
}

/**
 * Every trigger of every deployment with where it stands: the events counted in its window
 * now (by for_each value), a proactive trigger's next deadline, its firings of the last week.
 */
export function listTriggerStates(store: Store, deployment?: string): TriggerStateJson[] {
  const now = store.clock.now();
  return armTriggers(store)
    .filter((t) => !deployment || t.deployment === deployment)
    .map((t) => {
      const { spec } = t;
      // A join counts its after events that came, of all it waits for.
      const join = spec.on === undefined && spec.after?.mode === "all";
      const since = spec.within_ms ? now - spec.within_ms : 0;
      const window = triggerWindow(store, t.id, since, join);
      const firings = firingsSince(store, t.id, now - FIRINGS_KEPT_MS);
      return {
        deployment: t.deployment,
        name: t.label,
        kind: triggerKind(spec),
        on: triggerOn(spec),
        match: spec.match,
        files: spec.files ? { folder: spec.files.folder, glob: spec.files.glob } : null,
        active: t.active,
        within_ms: spec.within_ms ?? null,
        threshold: join ? (spec.after?.events.length ?? 1) : (spec.threshold ?? 1),
        counts: window.counts,
        deadline: iso(window.deadline),
        deadlines: window.deadlines,
        last_fired: iso(firings.last),
        fired: firings.fired,
        failed: firings.failed,
        last_failure: firings.lastFailure
          ? { at: iso(firings.lastFailure.at)!, message: firings.lastFailure.message }
          : null,
        suppressed: firings.suppressed,
        rate_limit: spec.rate_limit
          ? `${spec.rate_limit.limit} per ${formatDuration(spec.rate_limit.per_ms)}`
          : null,
        actions: (spec.actions ?? [{ type: "run" }]).map(describeAction),
      };
    });
}
