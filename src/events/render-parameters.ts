import { closest, findReferences, OrchError } from "../core/index.ts";
import { eventValue, type TriggerEvent } from "./match-event.ts";

/** What a trigger's templates can name: the event, the trigger, and a message in words. */
export interface TemplateContext {
  event: TriggerEvent;
  trigger?: { deployment: string; name: string };
  /** A line that says what happened ("etl run 1a2b3c4d FAILED: exit code 1"). */
  message?: string;
}

/** A template names a field its event lacks (what a parameter's default can stand in for). */
export class MissingField extends OrchError {
  constructor(message: string) {
    super("E_BAD_INPUT", message);
  }
}

const FIELD = "(event\\.[\\w.-]+|trigger\\.(?:deployment|name)|message)";
const TEMPLATE = new RegExp(`\\{\\{\\s*${FIELD}\\s*\\}\\}`, "g");
const WHOLE = new RegExp(`^\\s*\\{\\{\\s*${FIELD}\\s*\\}\\}\\s*$`);

/** The value a template field names in `ctx` (undefined when it has none). */
function lookup(ctx: TemplateContext, field: string): unknown {
  if (field === "message") return ctx.message;
  if (field === "trigger.deployment") return ctx.trigger?.deployment;
  if (field === "trigger.name") return ctx.trigger?.name;
  return eventValue(ctx.event, field.slice("event.".length));
}

/**
 * `value` with its `{{ event.x }}`, `{{ trigger.deployment }}`, `{{ trigger.name }}` and
 * `{{ message }}` filled in, deeply: `event.resource` (or `event.resource.id`), `event.name`,
 * `event.id`, `event.payload.key`. A string that is only a template keeps the value's type; one
 * inside text becomes text. Values are put in, never read again as templates, so nothing in an
 * event can name a secret or run code. A template naming something the event lacks is an
 * error, so a run never starts with a hole in its parameters.
 */
export function renderTemplates<T>(value: T, ctx: TemplateContext): T {
  const find = (field: string) => {
    const found = lookup(ctx, field);
    if (found === undefined) {
      throw new MissingField(`{{ ${field} }} is not in event ${ctx.event.name} #${ctx.event.id}`);
    }
    return found;
  };
  const render = (item: unknown): unknown => {
    if (typeof item === "string") {
      if (!item.includes("{{")) return item;
      const whole = WHOLE.exec(item);
      if (whole) return find(whole[1]!);
      return item.replace(TEMPLATE, (_, field: string) => {
        const found = find(field);
        return typeof found === "string" ? found : JSON.stringify(found);
      });
    }
    if (Array.isArray(item)) return item.map(render);
    if (item && typeof item === "object") {
      return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, render(v)]));
    }
    return item;
  };
  return render(value) as T;
}

/** How a trigger's parameters fall back to its deployment's defaults (see renderParameters). */
export interface ParameterFallback {
  /** The deployment's default parameters (read only when a template names a missing field). */
  defaults: () => Record<string, unknown>;
  /** Told of each parameter left to its default, with why. */
  onFallback: (key: string, why: string) => void;
}

/**
 * A trigger's parameters with `{{ event.x }}` filled in from the event (see renderTemplates).
 * With `fallback`, a parameter whose template names a field the event lacks is left out when
 * the deployment has a default for it, so the run takes that default (a webhook's body without
 * `env` runs with the deployment's `env`); without a default it is still an error.
 */
export function renderParameters(
  params: Record<string, unknown>,
  event: TriggerEvent,
  ctx: Omit<TemplateContext, "event"> = {},
  fallback?: ParameterFallback,
): Record<string, unknown> {
  if (!fallback) return renderTemplates(params, { ...ctx, event });
  const filled: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    try {
      filled[key] = renderTemplates(value, { ...ctx, event });
    } catch (error) {
      if (!(error instanceof MissingField) || !Object.hasOwn(fallback.defaults(), key)) throw error;
      fallback.onFallback(key, error.message);
    }
  }
  return filled;
}

/**
 * What is wrong with the templates in a value, each with where (empty: nothing). `secrets`
 * allows `{{ secrets.x }}` and `{{ variables.x }}` too (a webhook's URL and headers). `payload`,
 * the event and the keys its payload has when it is one of orch's own, checks
 * `{{ event.payload.KEY }}` too: a typo there would fail every firing.
 */
export function templateProblems(
  value: unknown,
  path: (string | number)[] = [],
  options: { secrets?: boolean; payload?: { on: string; keys: readonly string[] } } = {},
): { path: (string | number)[]; message: string }[] {
  if (typeof value === "string") {
    const problems: { path: (string | number)[]; message: string }[] = [];
    const known = options.payload;
    if (known) {
      for (const [, field] of value.matchAll(TEMPLATE)) {
        const top = payloadKey(field!);
        if (top === null || known.keys.includes(top)) continue;
        const guess = closest(top, [...known.keys]);
        problems.push({
          path,
          message: `{{ ${field} }} cannot be filled: ${known.on} events have no ${JSON.stringify(top)}${guess ? ` (did you mean "${guess}"?)` : ""}; they have ${known.keys.join(", ")}`,
        });
      }
    }
    let rest = value.replace(TEMPLATE, "");
    if (options.secrets) {
      for (const ref of findReferences(rest).reverse()) {
        const end = rest.indexOf("}}", ref.index) + 2;
        rest = rest.slice(0, ref.index) + rest.slice(end);
      }
    }
    problems.push(
      ...[...rest.matchAll(/\{\{([^}]*)\}\}/g)].map((m) => ({
        path,
        message: `{{${m[1]}}} cannot be filled: a trigger takes {{ event.resource }}, {{ event.name }}, {{ event.id }}, {{ event.payload.KEY }}, {{ trigger.deployment }}, {{ trigger.name }} or {{ message }}${options.secrets ? " (and {{ secrets.NAME }} or {{ variables.NAME }} here)" : ""}`,
      })),
    );
    if (!problems.length && (rest.includes("{{") || rest.includes("}}"))) {
      problems.push({ path, message: `${JSON.stringify(value)} has an unclosed {{ or a stray }}` });
    }
    return problems;
  }
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => templateProblems(v, [...path, i], options));
  }
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => templateProblems(v, [...path, k], options));
  }
  return [];
}

/** The payload key a template field reads (`event.payload.path` and `event.path`: "path"), or null. */
function payloadKey(field: string): string | null {
  if (!field.startsWith("event.")) return null;
  const rest = field.slice("event.".length);
  if (["resource", "resource.id", "name", "id"].includes(rest)) return null;
  return rest.replace(/^payload\./, "").split(".")[0] ?? null;
}
