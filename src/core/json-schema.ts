// Not exported from core/index.ts on purpose: ajv costs about 25 ms to import, and every command
// (and every TypeScript flow run) imports core. Its users (definitions, store, server) import
// this file by path.
import Ajv, { type ValidateFunction } from "ajv";
import { parseDuration } from "./duration.ts";
import type { Problem } from "./errors.ts";
import { explain, renderPath, type SchemaIssue, show } from "./schema-words.ts";
import { closest } from "./suggest.ts";

export { renderPath, type SchemaIssue } from "./schema-words.ts";

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

/**
 * Validate `value` against `schema` and explain each problem in words. Errors under an `anyOf`
 * are folded into one ("is not a duration") rather than one per branch; when the value has the
 * shape of one branch only, that branch's errors say where inside it. `own` as compileSchema.
 */
export function checkSchema(schema: object, value: unknown, own = false): SchemaIssue[] {
  const validate = compileSchema(schema, own);
  if (validate(value)) return [];
  return explain(validate.errors ?? []);
}

/**
 * A user's JSON Schema checked against the JSON Schema meta-schema: each mistake with its path
 * inside the schema (`properties.limit.type`), in words (`"objekt" is not a JSON Schema type (did
 * you mean "object"?)`). Empty when the schema is valid (it may still fail to compile: a `$ref`
 * to nowhere, which compileSchema reports).
 */
export function schemaShapeIssues(schema: object): SchemaIssue[] {
  if (ajv.validateSchema(schema)) return [];
  return explain(ajv.errors ?? []).flatMap((issue): SchemaIssue[] => {
    // The meta-schema says a type is one of seven names or a list of them: said as that.
    const data = issue.error.data;
    if (issue.path.at(-1) !== "type" || issue.key !== undefined) return [issue];
    const given: [unknown, (string | number)[]][] = Array.isArray(data)
      ? data.map((type, i) => [type, [...issue.path, i]])
      : [[data, issue.path]];
    const wrong = given.filter(([type]) => typeof type === "string" && !JSON_TYPES.includes(type));
    if (!wrong.length) return [issue];
    return wrong.map(([type, path]) => {
      const near = closest(String(type), JSON_TYPES);
      const hint = near ? `did you mean ${show(near)}?` : JSON_TYPES.join(", ");
      return { ...issue, path, message: `${show(type)} is not a JSON Schema type (${hint})` };
    });
  });
}

const JSON_TYPES = ["object", "array", "string", "number", "integer", "boolean", "null"];

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
