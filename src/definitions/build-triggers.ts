import {
  type ActionSpec,
  closest,
  type EventRef,
  STATE_TYPES,
  type TriggerSpec,
} from "../core/index.ts";
import { payloadKeys, templateProblems, triggerProblems } from "../events/index.ts";
import { filesOf } from "./build-file-trigger.ts";
import { duration, type Item, isObject, type Path, type Report } from "./definition-values.ts";
import { actionKey, actionProblems, toAction } from "./trigger-actions.ts";
import { refContradiction, toAfter, toMatch, toRef } from "./trigger-events.ts";

/** The run states `notify: { on: [...] }` names, lower case. */
const NOTIFY_STATES = STATE_TYPES.map((s) => s.toLowerCase());

/**
 * The trigger `notify:` stands for: on this deployment's runs entering the named states, call
 * its webhook, run its shell command and show a desktop notification.
 */
function buildNotify(
  notify: unknown,
  deployment: string,
  at: (...keys: (string | number)[]) => Path,
  count: Report,
): TriggerSpec | null {
  if (!isObject(notify)) return null;
  const states = Array.isArray(notify.on) ? notify.on.map(String) : ["failed", "crashed"];
  states.forEach((state, i) => {
    if (!NOTIFY_STATES.includes(state)) {
      const guess = closest(state, NOTIFY_STATES);
      count(
        at("notify", "on", i),
        `${JSON.stringify(state)} is not a run state${guess ? ` (did you mean "${guess}"?)` : ""}; notify takes ${NOTIFY_STATES.join(", ")}`,
      );
    }
  });
  const actions: ActionSpec[] = [];
  if (notify.webhook !== undefined) {
    const action = toAction({ webhook: notify.webhook });
    if (action) actions.push(action);
  }
  if (notify.shell !== undefined) {
    const action = toAction({ shell: notify.shell });
    if (action) actions.push(action);
  }
  if (notify.desktop !== undefined && notify.desktop !== false) {
    actions.push({
      type: "notify",
      ...(typeof notify.desktop === "string" ? { message: notify.desktop } : {}),
    });
  }
  for (const action of actions) {
    const key = actionKey(action);
    for (const p of actionProblems(action, notify[key])) {
      count(at("notify", key, ...p.path), p.message);
    }
  }
  if (!actions.length) {
    count(at("notify"), "says how to notify with none of webhook, shell or desktop; add one");
    return null;
  }
  const rate = isObject(notify.rate_limit) ? notify.rate_limit : null;
  return {
    name: "notify",
    on: "flow-run.*",
    match: { deployment, state: states.map((s) => s.toUpperCase()) },
    parameters: {},
    actions,
    ...(rate ? { rate_limit: { limit: Number(rate.limit), per_ms: duration(rate.per) ?? 1 } } : {}),
  };
}

/**
 * A deployment's triggers (and its `notify:`), checked: each event name orch emits itself and
 * the fields matched on it, the templates of parameters and actions, and the keys a kind needs
 * (a threshold or a proactive trigger needs its window).
 */
export function buildTriggers(
  item: Item,
  base: Path,
  count: Report,
  folder: string,
): TriggerSpec[] {
  const at = (...keys: (string | number)[]): Path => [...base, ...keys];
  const triggers: TriggerSpec[] = [];
  const list = Array.isArray(item.triggers) ? item.triggers : [];
  list.forEach((t: unknown, i: number) => {
    if (!isObject(t)) return;
    const here = (...keys: (string | number)[]) => at("triggers", i, ...keys);
    const shared = toMatch(t.match);
    /** Report an event reference's problems where they are written: `path` is null for `on`. */
    const checkRef = (raw: unknown, ref: EventRef, path: Path | null) => {
      const own = isObject(raw) && isObject(raw.match) ? raw.match : {};
      for (const p of triggerProblems(ref.on, ref.match)) {
        const [first, key] = p.key;
        if (first === "on") {
          count(path ? (isObject(raw) ? [...path, "on"] : path) : here("on"), p.message);
        } else if (key !== undefined) {
          count(path && key in own ? [...path, "match"] : here("match"), p.message, key);
        }
      }
      const never = refContradiction(raw, ref.on, shared);
      if (never) count(path && never.own ? [...path, "match"] : here("match"), never.message);
    };
    if (typeof t.on === "string" && t.expect !== undefined) {
      count(here("expect"), "a trigger takes on or expect, not both (they are the same thing)");
    }
    // A files: trigger acts on the file.arrived events of its own watch.
    const watched = t.files !== undefined ? filesOf(t, here(), folder, count) : undefined;
    const after = toAfter(t.after);
    const proactive = t.posture === "proactive";
    if (t.files === undefined && t.on === undefined && t.expect === undefined) {
      if (!after) {
        count(
          here(),
          'needs on: EVENT (or expect:): the event it acts on, like "flow-run.failed"; after: events that must all come, in any order; or files: a folder to watch',
        );
        return;
      }
      if (proactive) {
        count(
          here("posture"),
          "a proactive trigger needs expect: the event that should come after its after events",
        );
      }
    }
    // Without on/expect, a join: it fires on the after event that completes them.
    const target: EventRef | null = watched
      ? { on: "file.arrived", match: { ...shared, watch: watched.watch } }
      : t.expect !== undefined
        ? toRef(t.expect, shared)
        : t.on !== undefined
          ? { on: String(t.on), match: shared }
          : null;
    if (t.files !== undefined && !watched) return; // its problems are reported
    if (target) checkRef(t.expect, target, t.expect !== undefined ? here("expect") : null);
    after?.refs.forEach((ref, j) => {
      const listed = Array.isArray(t.after) || after.key.length > 0;
      checkRef(ref, toRef(ref, shared), here("after", ...after.key, ...(listed ? [j] : [])));
    });
    const afterNames = after?.refs.map((ref) => toRef(ref, shared).on) ?? [];
    const forEach =
      typeof t.for_each === "string"
        ? [t.for_each]
        : Array.isArray(t.for_each)
          ? t.for_each.map(String)
          : undefined;
    if (forEach) {
      // A join counts per value of its after events: each of them must carry the fields.
      for (const on of target ? [target.on] : new Set(afterNames)) {
        for (const p of triggerProblems(
          on,
          Object.fromEntries(forEach.map((k) => [k, ""])),
          "for_each",
        )) {
          if (p.key[0] === "for_each") count(here("for_each"), p.message);
        }
      }
    }
    const within = duration(t.within);
    const threshold = typeof t.threshold === "number" ? t.threshold : undefined;
    if (!target && threshold !== undefined && threshold > 1) {
      count(
        here("threshold"),
        "counts on: events, and this trigger has none: after: alone fires once all its events came",
      );
    }
    if (proactive && within === undefined) {
      count(
        here("posture"),
        'a proactive trigger needs within: how long to wait for the event ("1h", "24h")',
      );
    }
    if (target && threshold !== undefined && threshold > 1 && within === undefined && !proactive) {
      count(here("threshold"), `counts ${threshold} events within a window: add within ("10m")`);
    }
    if (within === 0) count(here("within"), "must be more than 0");
    // The event a firing hands its templates: a proactive trigger's is its trigger.missed, a
    // join's the after event that completed it (known when they are all of one name).
    const firing = proactive
      ? "trigger.missed"
      : (target?.on ?? (new Set(afterNames).size === 1 ? afterNames[0] : undefined));
    const keys = firing === undefined ? null : payloadKeys(firing);
    const payload = keys && firing ? { on: firing, keys } : undefined;
    for (const p of templateProblems(t.parameters, ["parameters"], payload ? { payload } : {})) {
      count(here(...p.path), p.message);
    }
    const actions = Array.isArray(t.actions)
      ? t.actions.map(toAction).filter((a): a is ActionSpec => a !== null)
      : undefined;
    if (Array.isArray(t.actions)) {
      t.actions.forEach((raw: unknown, j: number) => {
        const action = toAction(raw);
        if (!action) return;
        const written = isObject(raw) ? raw[action.type] : undefined;
        for (const p of actionProblems(action, written, payload)) {
          count(here("actions", j, ...(isObject(raw) ? [action.type] : []), ...p.path), p.message);
        }
      });
    }
    const rate = isObject(t.rate_limit) ? t.rate_limit : null;
    triggers.push({
      ...(typeof t.name === "string" ? { name: t.name } : {}),
      ...(target ? { on: target.on } : {}),
      match: target?.match ?? shared,
      parameters: isObject(t.parameters) ? t.parameters : {},
      ...(proactive ? { posture: "proactive" as const } : {}),
      ...(after
        ? { after: { events: after.refs.map((r) => toRef(r, shared)), mode: after.mode } }
        : {}),
      ...(threshold !== undefined ? { threshold } : {}),
      ...(within ? { within_ms: within } : {}),
      ...(forEach ? { for_each: forEach } : {}),
      ...(rate
        ? { rate_limit: { limit: Number(rate.limit), per_ms: duration(rate.per) ?? 1 } }
        : {}),
      ...(actions ? { actions } : {}),
      ...(watched ? { files: watched } : {}),
    });
  });
  if (item.notify !== undefined && typeof item.name === "string") {
    const notify = buildNotify(item.notify, item.name, at, count);
    if (notify) triggers.push(notify);
  }
  return triggers;
}
