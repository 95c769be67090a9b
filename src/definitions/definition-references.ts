import type { Document } from "yaml";
import { type ReferenceKind, referencesIn } from "../core/index.ts";
import { offsetOf } from "./definition-positions.ts";
import { type Item, isObject, type Path } from "./definition-values.ts";

/** A secret or variable a deployment names, with where (`flows/etl.yaml:7:19`). */
export interface NamedValue {
  kind: ReferenceKind;
  name: string;
  where: string;
}

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

/** `getSecret("x")` and `getVariable("x")` in a flow's code: the names given as literals. */
const SDK_CALL = /\bget(Secret|Variable)\s*\(\s*(["'`])([A-Za-z0-9][A-Za-z0-9_.-]*)\2\s*\)/g;

/** The secrets and variables a flow's module names in SDK calls, with where (`flows/etl.ts:4:20`). */
export function codeReferences(text: string, file: string): NamedValue[] {
  const found: NamedValue[] = [];
  for (const m of text.matchAll(SDK_CALL)) {
    const before = text.slice(0, m.index);
    const line = before.split("\n").length;
    const col = m.index! - before.lastIndexOf("\n");
    found.push({
      kind: m[1] === "Secret" ? "secrets" : "variables",
      name: m[3]!,
      where: `${file}:${line}:${col}`,
    });
  }
  return found;
}
