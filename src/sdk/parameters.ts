/**
 * A flow's declared parameters (and a pause's input): a JSON Schema object, or a Standard Schema
 * (Zod 4, Valibot, ArkType, …) that can say its JSON Schema. orch reads the JSON Schema at
 * deploy time to check triggers; inside the run, a Standard Schema also validates (and may
 * transform) the values the flow gets.
 */

/** One problem of a Standard Schema's validation. */
interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>;
}

/** The part of a Standard Schema (and Standard JSON Schema) object orch uses. */
export interface StandardSchemaLike {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate?: (
      value: unknown,
    ) =>
      | { value: unknown; issues?: undefined }
      | { issues: ReadonlyArray<StandardIssue> }
      | Promise<{ value: unknown; issues?: undefined } | { issues: ReadonlyArray<StandardIssue> }>;
    readonly jsonSchema?: {
      readonly input: (options: { target: string }) => Record<string, unknown>;
    };
  };
}

/** Parameters (or a pause's input) as a flow declares them. */
export type ParameterSchema = Record<string, unknown> | StandardSchemaLike;

function isStandard(schema: ParameterSchema): schema is StandardSchemaLike {
  const standard = (schema as Partial<StandardSchemaLike>)["~standard"];
  return typeof standard === "object" && standard !== null;
}

/**
 * The JSON Schema of a declared schema: itself when it is one; a Standard Schema's own
 * (`~standard.jsonSchema`, or a `toJSONSchema()` method); null when it cannot say one.
 */
export function toJsonSchema(schema: ParameterSchema | undefined): Record<string, unknown> | null {
  if (!schema || typeof schema !== "object") return null;
  let json: Record<string, unknown> | null = null;
  if (isStandard(schema)) {
    const withMethod = schema as { toJSONSchema?: () => Record<string, unknown> };
    // draft-07: the dialect orch's validator speaks without extra meta-schemas.
    json =
      schema["~standard"].jsonSchema?.input({ target: "draft-07" }) ??
      (typeof withMethod.toJSONSchema === "function" ? withMethod.toJSONSchema() : null);
  } else json = schema;
  if (!json) return null;
  const { $schema: _dialect, ...rest } = json;
  return rest;
}

/** `parameters.n: must be a number` for each issue of a Standard Schema's validation. */
function describeIssues(issues: ReadonlyArray<StandardIssue>, root: string): string {
  return issues
    .map((issue) => {
      const path = (issue.path ?? []).map((p) =>
        typeof p === "object" && p !== null ? (p as { key: PropertyKey }).key : p,
      );
      const where = [root, ...path.map(String)].join(".");
      return `${where}: ${issue.message}`;
    })
    .join("; ");
}

/**
 * Check `value` against a declared schema; resolves with the value the flow gets (a Standard
 * Schema may transform it). Throws an Error that names each problem and where it is. A JSON
 * Schema is checked with orch's validator, loaded only when a flow declares one.
 */
export async function checkAgainst(
  schema: ParameterSchema | undefined,
  value: Record<string, unknown>,
  what: "parameters" | "input",
): Promise<Record<string, unknown>> {
  if (!schema || typeof schema !== "object") return value;
  if (isStandard(schema) && typeof schema["~standard"].validate === "function") {
    const result = await schema["~standard"].validate(value);
    if (result.issues) {
      throw new Error(
        `${verb(what)} not match ${whose(what)}: ${describeIssues(result.issues, what)}`,
      );
    }
    return result.value as Record<string, unknown>;
  }
  const json = toJsonSchema(schema);
  if (!json) return value;
  // The server's own wording (with a guess for a mistyped name), so a flow run ad hoc says what
  // `orch run` says of the same values.
  const { schemaProblems } = await import("../core/json-schema.ts");
  const problems = schemaProblems(json, value, what);
  if (problems.length) {
    const text = problems.map((p) => `${p.where}: ${p.message}`).join("; ");
    throw new Error(`${verb(what)} not match ${whose(what)}: ${text}`);
  }
  return value;
}

/** Whose schema a value is checked against: a pause's input, or the flow's parameters. */
function whose(what: "parameters" | "input"): string {
  return what === "input" ? "the pause's input schema" : "the flow's schema";
}

function verb(what: "parameters" | "input"): string {
  return what === "input" ? "the input does" : "the parameters do";
}
