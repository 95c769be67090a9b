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

type Match = EventRef["match"];

/** A match as written (scalars or lists) as stored: text patterns. */
function toMatch(value: unknown): Match {
  if (!isObject(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]),
  );
}

/** An event reference as written (a name, or { on, match }) with the trigger's match over it. */
function toRef(value: unknown, shared: Match): EventRef {
  if (typeof value === "string") return { on: value, match: { ...shared } };
  const item = isObject(value) ? value : {};
  return { on: String(item.on ?? ""), match: { ...shared, ...toMatch(item.match) } };
}

/** The after events as written: one, a list (all of them), or { all } / { any }. */
function toAfter(value: unknown): { refs: unknown[]; mode: "all" | "any"; key: Path } | null {
  if (value === undefined) return null;
  if (Array.isArray(value)) return { refs: value, mode: "all", key: [] };
  if (isObject(value) && (Array.isArray(value.all) || Array.isArray(value.any))) {
    const mode = Array.isArray(value.any) ? "any" : "all";
    return { refs: value[mode] as unknown[], mode, key: [mode] };
  }
  return { refs: [value], mode: "all", key: [] };
}

/** Fields of an action that take templates, and whether secrets may appear in them. */
const SECRET_FIELDS = new Set(["url", "headers", "body"]);

/** One action as written (a bare name, or { kind: value }) as stored. */
function toAction(value: unknown): ActionSpec | null {
  if (typeof value === "string") return { type: value as ActionSpec["type"] };
  if (!isObject(value)) return null;
  const [kind, setting] = Object.entries(value)[0] ?? [];
  switch (kind) {
    case "run":
    case "pause":
    case "resume":
      return { type: kind, deployment: String(setting) };
    case "cancel":
      return { type: kind, run: String(setting) };
    case "webhook":
      if (typeof setting === "string") return { type: kind, url: setting };
      if (!isObject(setting)) return null;
      return {
        type: kind,
        url: String(setting.url),
        ...(setting.body !== undefined ? { body: setting.body } : {}),
        ...(isObject(setting.headers)
          ? {
              headers: Object.fromEntries(
                Object.entries(setting.headers).map(([k, v]) => [k, String(v)]),
              ),
            }
          : {}),
      };
    case "shell":
      return {
        type: kind,
        command: Array.isArray(setting) ? setting.map(String) : String(setting),
      };
    case "notify":
      if (typeof setting === "string") return { type: kind, message: setting };
      if (!isObject(setting)) return null;
      return {
        type: kind,
        ...(typeof setting.title === "string" ? { title: setting.title } : {}),
        ...(typeof setting.message === "string" ? { message: setting.message } : {}),
      };
    default:
      return null;
  }
}

/**
 * What is wrong with an action's templates, each with the key path inside what is written under
 * the action's key (`written`: the URL text, or the mapping with url, body and headers).
 */
function actionProblems(
  action: ActionSpec,
  written: unknown,
  payload?: { on: string; keys: readonly string[] },
): { path: Path; message: string }[] {
  const problems: { path: Path; message: string }[] = [];
  for (const [field, value] of Object.entries(action)) {
    if (field === "type") continue;
    if (field === "command" && typeof value === "string") {
      // A shell string never gets event values spliced into its code: they come as variables.
      if (value.includes("{{")) {
        problems.push({
          path: [],
          message:
            'a shell string takes no {{ }}: read the event from $ORCH_EVENT_NAME, $ORCH_EVENT_RESOURCE, $ORCH_EVENT_ID, $ORCH_EVENT_PAYLOAD (JSON) or $ORCH_MESSAGE, or give argv (["notify.sh", "{{ event.name }}"])',
        });
      }
      continue;
    }
    const inside = isObject(written) && field !== "command" ? [field] : [];
    problems.push(
      ...templateProblems(value, inside, {
        secrets: SECRET_FIELDS.has(field),
        ...(payload ? { payload } : {}),
      }),
    );
  }
  return problems;
}

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

/** The key an action is written under in a definition. */
function actionKey(action: ActionSpec): string {
  return action.type === "notify" ? "desktop" : action.type;
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
    };
    if (typeof t.on === "string" && t.expect !== undefined) {
      count(here("expect"), "a trigger takes on or expect, not both (they are the same thing)");
    }
    // A files: trigger acts on the file.arrived events of its own watch.
    const watched = t.files !== undefined ? filesOf(t, here(), folder, count) : undefined;
    if (t.files === undefined && t.on === undefined && t.expect === undefined) {
      count(
        here(),
        'needs on: EVENT (or expect:): the event it acts on, like "flow-run.failed"; or files: a folder to watch',
      );
      return;
    }
    const target: EventRef = watched
      ? { on: "file.arrived", match: { ...shared, watch: watched.watch } }
      : t.expect !== undefined
        ? toRef(t.expect, shared)
        : { on: String(t.on), match: shared };
    if (t.files !== undefined && !watched) return; // its problems are reported
    checkRef(t.expect, target, t.expect !== undefined ? here("expect") : null);
    const after = toAfter(t.after);
    after?.refs.forEach((ref, j) => {
      const listed = Array.isArray(t.after) || after.key.length > 0;
      checkRef(ref, toRef(ref, shared), here("after", ...after.key, ...(listed ? [j] : [])));
    });
    const forEach =
      typeof t.for_each === "string"
        ? [t.for_each]
        : Array.isArray(t.for_each)
          ? t.for_each.map(String)
          : undefined;
    if (forEach) {
      for (const p of triggerProblems(
        target.on,
        Object.fromEntries(forEach.map((k) => [k, ""])),
        "for_each",
      )) {
        if (p.key[0] === "for_each") count(here("for_each"), p.message);
      }
    }
    const within = duration(t.within);
    const threshold = typeof t.threshold === "number" ? t.threshold : undefined;
    const proactive = t.posture === "proactive";
    if (proactive && within === undefined) {
      count(
        here("posture"),
        'a proactive trigger needs within: how long to wait for the event ("1h", "24h")',
      );
    }
    if (threshold !== undefined && threshold > 1 && within === undefined && !proactive) {
      count(here("threshold"), `counts ${threshold} events within a window: add within ("10m")`);
    }
    if (within === 0) count(here("within"), "must be more than 0");
    // The event a firing hands its templates: a proactive trigger's is its trigger.missed.
    const firing = proactive ? "trigger.missed" : target.on;
    const keys = payloadKeys(firing);
    const payload = keys ? { on: firing, keys } : undefined;
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
      on: target.on,
      match: target.match,
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
