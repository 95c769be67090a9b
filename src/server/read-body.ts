import { OrchError } from "../core/index.ts";
import { checkSchema, renderPath } from "../definitions/json-schema.ts";

/** Largest JSON body a route reads. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A request's body as text, refused (413) past MAX_BODY_BYTES. */
export async function readText(req: Request): Promise<string> {
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_BODY_BYTES) {
    throw new OrchError(
      "E_TOO_LARGE",
      `the request body is ${length} bytes; the limit is ${MAX_BODY_BYTES}`,
    );
  }
  const text = await req.text();
  if (text.length > MAX_BODY_BYTES) {
    throw new OrchError(
      "E_TOO_LARGE",
      `the request body is over the limit of ${MAX_BODY_BYTES} bytes`,
    );
  }
  return text;
}

/**
 * Read a request's JSON body and check it against a schema; every problem is reported at once
 * in a 400 (`parameters.n: must be >= 0`). An empty body reads as `{}`.
 */
export async function parseBody<T>(req: Request, schema: object): Promise<T> {
  const text = await readText(req);
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
