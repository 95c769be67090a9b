/**
 * Ajv's errors in orch's words: each with its path inside the value, an anyOf's branches folded
 * into one problem (or into the one branch the value has the shape of). Apart from
 * json-schema.ts so that file stays about validating; it imports ajv's types only.
 */
import type { ErrorObject } from "ajv";
import { patternMessage } from "./parameter-form.ts";
import { closest } from "./suggest.ts";

/** A schema error as `path: message`, with the path in dotted form (`limit`, `tags[0]`). */
export interface SchemaIssue {
  /** The location as keys and indexes, from the validated value's root. */
  path: (string | number)[];
  message: string;
  /** For an unknown key: the key (its position is the key's, not the value's). */
  key?: string;
  error: ErrorObject;
}

/** Dotted path: ["schedules", 0, "cron"] -> `schedules[0].cron`. */
export function renderPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

function toPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** A value as shown in a message: JSON. */
export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Ajv's errors as issues, an anyOf's folded (see checkSchema). */
export function explain(errors: ErrorObject[]): SchemaIssue[] {
  // The anyOfs by the value they are about: an error can only be folded into those of its value
  // or of a value holding it. Why an index: a file of thousands of deployments, each with a
  // wrong duration, gives thousands of anyOfs; comparing each error with each was quadratic.
  const anyOfsAt = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    if (e.keyword === "anyOf")
      anyOfsAt.set(e.instancePath, [...(anyOfsAt.get(e.instancePath) ?? []), e]);
  }
  const around = (error: ErrorObject): ErrorObject[] => {
    if (!anyOfsAt.size) return [];
    const found: ErrorObject[] = [];
    let path = error.instancePath;
    for (;;) {
      found.push(...(anyOfsAt.get(path) ?? []));
      if (!path) return found;
      path = path.slice(0, path.lastIndexOf("/"));
    }
  };
  // An anyOf whose only errors inside the value come from one branch: the value has that
  // branch's shape (a list of durations, one of them wrong), so that branch's errors say what is
  // wrong and where, the anyOf's own ("is not a duration or a list of them") does not.
  const branches = new Map<ErrorObject, Set<string>>();
  for (const e of errors) {
    for (const anyOf of around(e)) {
      const prefix = `${anyOf.schemaPath}/`;
      if (anyOf.instancePath === e.instancePath || !e.schemaPath.startsWith(prefix)) continue;
      const taken = branches.get(anyOf) ?? new Set();
      taken.add(e.schemaPath.slice(prefix.length).split("/")[0]!);
      branches.set(anyOf, taken);
    }
  }
  const chosen = new Map<ErrorObject, string>();
  for (const [anyOf, taken] of branches) {
    if (taken.size === 1) chosen.set(anyOf, `${anyOf.schemaPath}/${[...taken][0]}/`);
  }
  const foldedBy = (error: ErrorObject, anyOf: ErrorObject): boolean => {
    if (error === anyOf) return chosen.has(anyOf);
    const branch = chosen.get(anyOf);
    if (branch)
      return (
        error.schemaPath.startsWith(`${anyOf.schemaPath}/`) && !error.schemaPath.startsWith(branch)
      );
    // (around() gives only anyOfs of this value or of one holding it.) Another anyOf for the
    // same value is folded only when it is inside one of this one's branches (a duration among
    // "a duration or a list of them").
    return (
      error.keyword !== "anyOf" ||
      error.instancePath !== anyOf.instancePath ||
      error.schemaPath.startsWith(`${anyOf.schemaPath}/`)
    );
  };
  // Outer first: an anyOf folded into another (a branch not taken) folds nothing itself.
  const inactive = new Set<ErrorObject>();
  const byDepth = [...anyOfsAt.values()]
    .flat()
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const anyOf of byDepth) {
    const outers = around(anyOf).filter((o) => o !== anyOf && !inactive.has(o));
    if (outers.some((outer) => foldedBy(anyOf, outer))) inactive.add(anyOf);
  }
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (inactive.has(error)) continue;
    if (around(error).some((anyOf) => !inactive.has(anyOf) && foldedBy(error, anyOf))) continue;
    if (error.keyword === "if") continue;
    const issue = describe(error);
    const id = `${renderPath(issue.path)}|${issue.key ?? ""}|${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push(issue);
  }
  return issues;
}

function describe(error: ErrorObject): SchemaIssue {
  const path = toPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const parent = error.parentSchema as
    | { description?: string; "x-kind"?: string; "x-message"?: string; "x-shorthand"?: string }
    | undefined;
  // A schema may say in its own words what a value must be ("x-message").
  if (parent?.["x-message"] && (error.keyword === "pattern" || error.keyword === "anyOf")) {
    return { path, message: `${show(error.data)} is not valid: it ${parent["x-message"]}`, error };
  }
  switch (error.keyword) {
    case "additionalProperties":
      return { path, key: String(params.additionalProperty), message: "unknown key", error };
    case "required":
      return { path, message: `missing ${show(params.missingProperty)}`, error };
    case "type": {
      // "string,number,boolean" reads "a string, number or boolean".
      const types = String(params.type).split(",");
      const type =
        types.length > 1 ? `${types.slice(0, -1).join(", ")} or ${types.at(-1)}` : types[0]!;
      const article = /^[aeiou]/.test(type) ? "an" : "a";
      // A map with one key the value belongs under ("x-shorthand"): say how to write it.
      const key = path.at(-1);
      const under = parent?.["x-shorthand"];
      const write =
        under && typeof key === "string" && (error.data === null || typeof error.data !== "object")
          ? `; write ${key}: { ${under}: ${show(error.data)} }`
          : "";
      return {
        path,
        message: `must be ${article} ${type}, not ${show(error.data)}${write}`,
        error,
      };
    }
    case "minLength":
      if (params.limit === 1) return { path, message: "must not be empty", error };
      return { path, message: error.message ?? "is too short", error };
    case "enum": {
      const allowed = params.allowedValues as unknown[];
      const near =
        typeof error.data === "string"
          ? closest(
              error.data,
              allowed.filter((v): v is string => typeof v === "string"),
            )
          : undefined;
      return {
        path,
        message: `must be one of ${allowed.map(show).join(", ")}, not ${show(error.data)}${near ? ` (did you mean ${show(near)}?)` : ""}`,
        error,
      };
    }
    case "anyOf":
      if (parent?.["x-kind"] === "duration") {
        return {
          path,
          message: `${show(error.data)} is not a duration of at most 100 years (try "30s", "15m" or "1h30m")`,
          error,
        };
      }
      return {
        path,
        message: `${show(error.data)} is not valid: ${parent?.description ?? "no form matches"}`,
        error,
      };
    case "format":
      return {
        path,
        message: `${show(error.data)} is not a ${params.format} (write it as 2026-01-31T09:30:00Z)`,
        error,
      };
    case "pattern":
      return {
        path,
        message: patternMessage(String(params.pattern), error.data, parent?.description),
        error,
      };
    default:
      return { path, message: error.message ?? "is not valid", error };
  }
}
