import { type Document, isMap, isSeq, type Node } from "yaml";
import type { Problem } from "../core/index.ts";
import { checkSchema } from "../core/json-schema.ts";
import { describePath } from "./definition-positions.ts";
import { type Item, isObject, type Path, type Report } from "./definition-values.ts";

/**
 * Report where a deployment's parameters, and each schedule's merged over them, do not match
 * `schema` (`schemaName` says whose it is in the message). A schedule is told only of the keys
 * it sets itself (the deployment's own are reported once, where they are written), and of a
 * required parameter its runs would lack. A required parameter the deployment does not give is
 * no problem of its own: a trigger or a run by hand gives it. An invalid schema is not reported
 * here (its owner reports it once).
 */
export function checkParameterSets(
  schema: Item,
  item: Item,
  base: Path,
  schemaName: string,
  report: Report,
): void {
  const parameters = isObject(item.parameters) ? item.parameters : {};
  const check = (params: Item, path: Path, own?: Item) => {
    let issues: ReturnType<typeof checkSchema>;
    try {
      issues = checkSchema(schema, params);
    } catch {
      return;
    }
    for (const issue of issues) {
      if (issue.error.keyword === "required" && issue.path.length === 0) {
        if (own) {
          const name = JSON.stringify(
            (issue.error.params as { missingProperty: string }).missingProperty,
          );
          report(
            path.slice(0, -1),
            `its runs would have no parameter ${name}, which ${schemaName} requires: give it in parameters, the deployment's or this schedule's`,
          );
        }
        continue;
      }
      const top = issue.path[0] ?? issue.key;
      if (own && (typeof top !== "string" || !(top in own))) continue;
      if (issue.key !== undefined) {
        report([...path, ...issue.path], `is not in ${schemaName}`, issue.key);
      } else report([...path, ...issue.path], issue.message);
    }
  };
  check(parameters, [...base, "parameters"]);
  if (!Array.isArray(item.schedules)) return;
  item.schedules.forEach((raw: unknown, i: number) => {
    if (!isObject(raw)) return;
    const own = isObject(raw.parameters) ? raw.parameters : {};
    check({ ...parameters, ...own }, [...base, "schedules", i, "parameters"], own);
  });
}

/**
 * A deployment's parameters and each schedule's, with where each of their keys and values is
 * written: what checking them against a schema known only later (its TypeScript flow's) needs.
 * Plain data (it crosses from the reading thread), and not the whole parsed file, which a
 * project's deployer keeps for every file.
 */
export interface ParameterPlaces {
  base: Path;
  item: Item;
  places: Record<string, string>;
}

/** The parameters of the deployment at `base`, with their places (`where` names an offset). */
export function parameterPlaces(
  doc: Document,
  item: Item,
  base: Path,
  where: (offset: number) => string,
): ParameterPlaces {
  const kept: Item = {
    parameters: item.parameters,
    schedules: Array.isArray(item.schedules)
      ? item.schedules.map((s) => ({ parameters: isObject(s) ? s.parameters : undefined }))
      : undefined,
  };
  const places: Record<string, string> = {};
  const note = (path: Path, node: unknown, key?: string) => {
    const range = (node as Node | null)?.range;
    if (range) places[placeKey(path, key)] = where(range[0]);
  };
  const walk = (node: unknown, path: Path) => {
    note(path, node);
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = (pair.key as { value?: unknown } | null)?.value;
        if (typeof key !== "string") continue;
        note(path, pair.key, key);
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((child, i) => {
        walk(child, [...path, i]);
      });
    }
  };
  note(base, doc.getIn(base, true));
  walk(doc.getIn([...base, "parameters"], true), [...base, "parameters"]);
  (Array.isArray(item.schedules) ? item.schedules : []).forEach((_, i) => {
    note([...base, "schedules", i], doc.getIn([...base, "schedules", i], true));
    const path = [...base, "schedules", i, "parameters"];
    walk(doc.getIn(path, true), path);
  });
  return { base, item: kept, places };
}

/** Where these parameters do not match `schema` (`schemaName`: whose it is), at file:line:col. */
export function parameterProblems(
  given: ParameterPlaces,
  schema: Item,
  schemaName: string,
): Problem[] {
  const problems: Problem[] = [];
  checkParameterSets(schema, given.item, given.base, schemaName, (path, message, key) => {
    problems.push({
      where: placeOf(given.places, path, key),
      message: `${describePath(path, key)}${message}`,
    });
  });
  return problems;
}

function placeKey(path: Path, key?: string): string {
  return JSON.stringify(key === undefined ? path : [...path, { key }]);
}

/** Where the node at `path` (or its `key`) is written, else its nearest parent. */
function placeOf(places: Record<string, string>, path: Path, key?: string): string {
  if (key !== undefined) {
    const atKey = places[placeKey(path, key)];
    if (atKey) return atKey;
  }
  for (let depth = path.length; depth > 0; depth--) {
    const at = places[placeKey(path.slice(0, depth))];
    if (at) return at;
  }
  return "";
}
