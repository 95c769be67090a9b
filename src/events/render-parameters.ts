import { OrchError } from "../core/index.ts";
import { eventValue, type TriggerEvent } from "./match-event.ts";

const TEMPLATE = /\{\{\s*event\.([\w.-]+)\s*\}\}/g;
const WHOLE = /^\s*\{\{\s*event\.([\w.-]+)\s*\}\}\s*$/;

/**
 * A trigger's parameters with `{{ event.x }}` filled in from the event: `event.resource` (or
 * `event.resource.id`), `event.name`, `event.id`, `event.payload.key`. A value that is only a
 * template keeps the event value's type; one inside text becomes text. A template naming
 * something the event lacks is an error, so a run never starts with a hole in its parameters.
 */
export function renderParameters(
  params: Record<string, unknown>,
  event: TriggerEvent,
): Record<string, unknown> {
  const render = (value: unknown): unknown => {
    if (typeof value === "string") {
      const lookup = (key: string) => {
        const found = eventValue(event, key);
        if (found === undefined) {
          throw new OrchError(
            "E_BAD_INPUT",
            `{{ event.${key} }} is not in event ${event.name} #${event.id}`,
          );
        }
        return found;
      };
      const whole = WHOLE.exec(value);
      if (whole) return lookup(whole[1]!);
      return value.replace(TEMPLATE, (_, key: string) => {
        const found = lookup(key);
        return typeof found === "string" ? found : JSON.stringify(found);
      });
    }
    if (Array.isArray(value)) return value.map(render);
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v)]));
    }
    return value;
  };
  return render(params) as Record<string, unknown>;
}

/** What is wrong with the templates in a trigger's parameters, each with where (empty: nothing). */
export function templateProblems(
  params: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; message: string }[] {
  if (typeof params === "string") {
    const rest = params.replace(TEMPLATE, "");
    const problems = [...rest.matchAll(/\{\{([^}]*)\}\}/g)].map((m) => ({
      path,
      message: `{{${m[1]}}} cannot be filled: a trigger's parameters take {{ event.resource }}, {{ event.name }}, {{ event.id }} or {{ event.payload.KEY }}`,
    }));
    if (!problems.length && (rest.includes("{{") || rest.includes("}}"))) {
      problems.push({
        path,
        message: `${JSON.stringify(params)} has an unclosed {{ or a stray }}`,
      });
    }
    return problems;
  }
  if (Array.isArray(params)) return params.flatMap((v, i) => templateProblems(v, [...path, i]));
  if (params && typeof params === "object") {
    return Object.entries(params).flatMap(([k, v]) => templateProblems(v, [...path, k]));
  }
  return [];
}
