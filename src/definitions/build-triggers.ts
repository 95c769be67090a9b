import type { TriggerSpec } from "../core/index.ts";
import { templateProblems, triggerProblems } from "../events/index.ts";
import { type Item, isObject, type Path, type Report } from "./definition-values.ts";

/** A deployment's triggers, with each trigger's parameter templates and match checked. */
export function buildTriggers(item: Item, base: Path, count: Report): TriggerSpec[] {
  const at = (...keys: (string | number)[]): Path => [...base, ...keys];
  if (Array.isArray(item.triggers)) {
    item.triggers.forEach((t: unknown, i: number) => {
      if (!isObject(t) || typeof t.on !== "string") return;
      for (const p of templateProblems(t.parameters, ["parameters"])) {
        count(at("triggers", i, ...p.path), p.message);
      }
      for (const p of triggerProblems(t.on, isObject(t.match) ? t.match : {})) {
        const [first, ...rest] = p.key;
        if (first === "match" && rest.length) count(at("triggers", i, "match"), p.message, rest[0]);
        else count(at("triggers", i, first!), p.message);
      }
    });
  }
  return Array.isArray(item.triggers)
    ? item.triggers.filter(isObject).map((t) => ({
        on: String(t.on),
        match: isObject(t.match)
          ? Object.fromEntries(Object.entries(t.match).map(([k, v]) => [k, String(v)]))
          : {},
        parameters: isObject(t.parameters) ? t.parameters : {},
      }))
    : [];
}
