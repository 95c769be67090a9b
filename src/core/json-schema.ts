// Not exported from core/index.ts on purpose: ajv costs about 25 ms to import, and every command
// (and every TypeScript flow run) imports core. Its users (definitions, store, server) import
// this file by path.
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { parseDuration } from "./duration.ts";
import type { Problem } from "./errors.ts";
import { patternMessage } from "./parameter-form.ts";
import { closest } from "./suggest.ts";

/**
 * One validator instance: compiled schemas are cached by it. Why `validateSchema: false`: a
 * schema is checked against the JSON Schema meta-schema before it compiles, and the first such
 * check compiles the meta-schema itself (60-250 ms on this machine, on the server's thread, at
 * the first request with a query or a body, while a large project loads). orch's own schemas
 * (the API's) are right by construction and tested; a user's schema is still checked, by
 * compileSchema, as ajv would.
 */
const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, validateSchema: false });

/** RFC 3339 date-time: `2026-11-30T01:02:03Z`, `...03.5+01:00`; a real date and time. */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

// ajv knows no formats by itself (and says so in the log on first use): the API's schemas use
// date-time only, so it is defined here rather than with a formats package.
// A duration as orch reads it (the pattern says its shape; this, that it is not over 100 years).
ajv.addFormat("orch-duration", {
  type: "string",
  validate: (text) => parseDuration(text) !== undefined,
});
ajv.addFormat("date-time", {
  type: "string",
  validate: (text: string) => {
    const m = DATE_TIME.exec(text);
    if (!m) return false;
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
    const days = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
    const offsetOk = m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59);
    return (
      month! >= 1 &&
      month! <= 12 &&
      day! >= 1 &&
      day! <= days &&
      hour! <= 23 &&
      minute! <= 59 &&
      second! <= 60 &&
      offsetOk
    );
  },
});
const cache = new WeakMap<object, ValidateFunction>();

/**
 * Compile a JSON Schema (cached by object identity); throws with ajv's message when invalid.
 * `own`: one of orch's own schemas, compiled without the meta-schema's check (see `ajv`).
 */
export function compileSchema(schema: object, own = false): ValidateFunction {
  let validate = cache.get(schema);
  if (!validate) {
    // Throws "schema is invalid: …", as ajv's compile does when it checks.
    if (!own) ajv.validateSchema(schema, true);
    validate = ajv.compile(schema);
    cache.set(schema, validate);
  }
  return validate;
}

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

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/**
 * Validate `value` against `schema` and explain each problem in words. Errors under an `anyOf`
 * are folded into one ("is not a duration") rather than one per branch. `own` as compileSchema.
 */
export function checkSchema(schema: object, value: unknown, own = false): SchemaIssue[] {
  const validate = compileSchema(schema, own);
  if (validate(value)) return [];
  const errors = validate.errors ?? [];
  const anyOfs = errors.filter((e) => e.keyword === "anyOf");
  const anyOfPaths = new Set(anyOfs.map((e) => e.instancePath));
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    // Errors of an anyOf's branches are folded into the anyOf's own error.
    const inAnyOf = [...anyOfPaths].some(
      (p) => error.instancePath === p || error.instancePath.startsWith(`${p}/`),
    );
    if (error.keyword !== "anyOf" && inAnyOf) continue;
    // An anyOf inside a branch of another, for the same value (a duration among "a duration
    // or a list of them"), is folded into the outer one too.
    const branch = anyOfs.some(
      (outer) =>
        outer !== error &&
        outer.instancePath === error.instancePath &&
        error.schemaPath.startsWith(`${outer.schemaPath}/`),
    );
    if (branch) continue;
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
    | { description?: string; "x-kind"?: string; "x-message"?: string }
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
      return { path, message: `must be ${article} ${type}, not ${show(error.data)}`, error };
    }
    case "minLength":
      if (params.limit === 1) return { path, message: "must not be empty", error };
      return { path, message: error.message ?? "is too short", error };
    case "enum":
      return {
        path,
        message: `must be one of ${(params.allowedValues as unknown[]).map(show).join(", ")}, not ${show(error.data)}`,
        error,
      };
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

/**
 * Problems of `value` (named `root`: parameters, input) against `schema`, each with where it is;
 * an unknown key names the schema's nearest property ("did you mean") when one is close.
 */
export function schemaProblems(
  schema: object,
  value: unknown,
  root: string,
  unknownWhat = "is not in the schema",
): Problem[] {
  return checkSchema(schema, value).map((issue) => {
    const where = renderPath([
      root,
      ...issue.path,
      ...(issue.key === undefined ? [] : [issue.key]),
    ]);
    if (issue.key === undefined) return { where, message: issue.message };
    // A one- or two-letter name is near every other: no guess for those.
    const near =
      issue.key.length > 2
        ? closest(issue.key, Object.keys(propertiesAt(schema, issue.path)))
        : undefined;
    return {
      where,
      message: `${unknownWhat}${near ? `; did you mean ${JSON.stringify(near)}?` : ""}`,
    };
  });
}

/** The `properties` of the object schema at `path` (through properties and items), or {}. */
function propertiesAt(schema: object, path: (string | number)[]): Record<string, unknown> {
  let node = schema as { properties?: Record<string, object>; items?: object };
  for (const step of path) {
    const next = typeof step === "number" ? node.items : node.properties?.[step];
    if (!next || typeof next !== "object") return {};
    node = next as typeof node;
  }
  return node.properties ?? {};
}
