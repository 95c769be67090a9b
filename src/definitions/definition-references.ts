import type { Document } from "yaml";
import { type NamedValue, referencesIn } from "../core/index.ts";
import { offsetOf } from "./definition-positions.ts";
import { type Item, isObject, type Path } from "./definition-values.ts";

/**
 * The `{{ secrets.x }}` and `{{ variables.x }}` of a deployment's definition: in its env, its
 * parameters and its schedules' and triggers' parameters, each with the position of the value
 * that holds it.
 */
export function definitionReferences(
  item: Item,
  base: Path,
  doc: Document,
  at: (offset: number) => string,
): NamedValue[] {
  const found: NamedValue[] = [];
  const walk = (value: unknown, path: Path) => {
    if (typeof value === "string") {
      for (const ref of referencesIn(value)) {
        found.push({ kind: ref.kind, name: ref.name, where: at(offsetOf(doc, path)) });
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        walk(v, [...path, i]);
      });
    } else if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    }
  };
  walk(item.env, [...base, "env"]);
  walk(item.parameters, [...base, "parameters"]);
  for (const list of ["schedules", "triggers"] as const) {
    const entries = item[list];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry, i) => {
      if (isObject(entry)) walk(entry.parameters, [...base, list, i, "parameters"]);
    });
  }
  return found;
}
