import { OrchError } from "../core/index.ts";
import { checkSchema, renderPath } from "../definitions/json-schema.ts";

/**
 * Read a request's JSON body and check it against a schema; every problem is reported at once
 * in a 400 (`parameters.n: must be >= 0`). An empty body reads as `{}`.
 */
export async function readBody<T>(req: Request, schema: object): Promise<T> {
  const text = await req.text();
  let value: unknown = {};
  if (text.trim()) {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new OrchError(
        "E_BAD_INPUT",
        `the request body is not valid JSON: ${(error as Error).message}`,
      );
    }
  }
  const issues = checkSchema(schema, value);
  if (issues.length) {
    throw new OrchError(
      "E_BAD_INPUT",
      "the request body is not valid",
      issues.map((i) => ({
        where: renderPath(i.key === undefined ? i.path : [...i.path, i.key]) || "body",
        message: i.key === undefined ? i.message : "unknown key",
      })),
    );
  }
  return value as T;
}
