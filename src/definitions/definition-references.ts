import type { Document } from "yaml";
import { type NamedValue, referencesIn } from "../core/index.ts";
import { offsetOf } from "./definition-positions.ts";
import { type Item, isObject, type Path } from "./definition-values.ts";

/** A walk over a definition's values, collecting their references with where each is. */
function collector(doc: Document, at: (offset: number) => string) {
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
  return { found, walk };
}

/**
 * The `{{ secrets.x }}` and `{{ variables.x }}` of a deployment's definition that its runs
 * receive: in its env, its parameters and its schedules' and triggers' parameters, each with the
 * position of the value that holds it.
 */
export function definitionReferences(
  item: Item,
  base: Path,
  doc: Document,
  at: (offset: number) => string,
): NamedValue[] {
  const { found, walk } = collector(doc, at);
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

/**
 * The `{{ secrets.x }}` and `{{ variables.x }}` of its `notify:` and its triggers' `actions:`:
 * the server reads them from the project's values when an action runs, and no run receives them.
 * A deploy checks they exist all the same (an alert that cannot be sent is found at the worst
 * time).
 */
export function actionReferences(
  item: Item,
  base: Path,
  doc: Document,
  at: (offset: number) => string,
): NamedValue[] {
  const { found, walk } = collector(doc, at);
  walk(item.notify, [...base, "notify"]);
  const triggers = item.triggers;
  if (Array.isArray(triggers)) {
    triggers.forEach((entry, i) => {
      if (isObject(entry)) walk(entry.actions, [...base, "triggers", i, "actions"]);
    });
  }
  return found;
}
