import { OrchError, type Problem } from "../core/index.ts";
import { checkSchema, renderPath } from "../core/json-schema.ts";

/** Largest JSON body a route reads. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** How long a client has, once its request's head is in, to send the whole body. */
export const BODY_TIMEOUT_MS = 10_000;

/** Deepest nesting of arrays and objects a JSON body may have. */
export const MAX_JSON_DEPTH = 64;

function tooLarge(length?: number): OrchError {
  const size = length === undefined ? "over the limit" : `${length} bytes`;
  return new OrchError(
    "E_TOO_LARGE",
    `the request body is ${size}; the limit is ${MAX_BODY_BYTES} bytes (send less, or in parts)`,
  );
}

function bodyTimeout(timeoutMs: number): OrchError {
  return new OrchError(
    "E_TIMEOUT",
    `the request body did not all arrive within ${timeoutMs / 1000} s; send it at once`,
  );
}

/**
 * A request's body as text, refused (413) past MAX_BODY_BYTES. The body is read as a stream and
 * reading stops at the limit, so a body of any size (or an endless chunked one) gets a 413 with
 * a JSON body rather than a reset connection or a buffer the size of what was sent. A body that
 * has not all come within `timeoutMs` is a 408: a client that stalls holds nothing for long.
 */
export async function readText(req: Request, timeoutMs = BODY_TIMEOUT_MS): Promise<string> {
  return (await readBody(req, timeoutMs, "text")) as string;
}

/** A request's body as the bytes sent (what a webhook's signature is over), within readText's limits. */
export async function readBytes(req: Request, timeoutMs = BODY_TIMEOUT_MS): Promise<Uint8Array> {
  return (await readBody(req, timeoutMs, "bytes")) as Uint8Array;
}

async function readBody(
  req: Request,
  timeoutMs: number,
  as: "text" | "bytes",
): Promise<string | Uint8Array> {
  const declared = req.headers.get("content-length");
  const length = Number(declared ?? 0);
  if (length > MAX_BODY_BYTES) throw tooLarge(length);
  if (!req.body) return as === "text" ? "" : new Uint8Array();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A body whose length was declared (and is within the limit) is read whole: the runtime reads
  // that many bytes and no more, so the stream's chunk-by-chunk guard is only needed without one.
  if (declared !== null && Number.isSafeInteger(length) && length >= 0) {
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(bodyTimeout(timeoutMs)), timeoutMs);
    });
    try {
      return await Promise.race([as === "text" ? req.text() : req.bytes(), late]);
    } finally {
      clearTimeout(timer);
    }
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(bodyTimeout(timeoutMs)), timeoutMs);
  });
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), late]);
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) throw tooLarge();
      chunks.push(value);
    }
  } catch (error) {
    void reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const body = Buffer.concat(chunks);
  return as === "text" ? new TextDecoder().decode(body) : body;
}

/**
 * Throw a 400 when `text` nests arrays and objects deeper than MAX_JSON_DEPTH. A plain scan
 * (no recursion, strings skipped), done before parsing: the checks after parsing recurse, and a
 * megabyte of brackets would overflow their stack.
 */
export function checkJsonDepth(text: string, what = "the request body"): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string, with its escapes.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c) i++;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new OrchError(
          "E_BAD_INPUT",
          `${what} nests arrays and objects more than ${MAX_JSON_DEPTH} deep (at character ${i + 1}); flatten it`,
        );
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
}

/** Whether parsed JSON holds a number too large to be one (`1e999` reads as Infinity). */
function hasNonFinite(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const item = stack.pop();
    if (typeof item === "number") {
      if (!Number.isFinite(item)) return true;
    } else if (Array.isArray(item)) {
      for (const v of item) stack.push(v);
    } else if (item && typeof item === "object") {
      for (const v of Object.values(item)) stack.push(v);
    }
  }
  return false;
}

/**
 * Where parsed JSON holds numbers that are not finite. Only walked once hasNonFinite found one:
 * each path is built from its parent's, never copied for every value of a large body.
 */
function nonFiniteNumbers(value: unknown): Problem[] {
  interface Entry {
    item: unknown;
    key: string | number | null;
    parent: Entry | null;
  }
  const pathOf = (entry: Entry) => {
    const path: (string | number)[] = [];
    for (let e: Entry | null = entry; e?.key != null; e = e.parent) path.unshift(e.key);
    return path;
  };
  const problems: Problem[] = [];
  const stack: Entry[] = [{ item: value, key: null, parent: null }];
  while (stack.length) {
    const entry = stack.pop()!;
    const { item } = entry;
    if (typeof item === "number" && !Number.isFinite(item)) {
      problems.push({
        where: renderPath(pathOf(entry)) || "body",
        message:
          "is not a finite number (JSON numbers here must be within ±1.7976931348623157e308)",
      });
    } else if (item && typeof item === "object") {
      for (const [k, v] of Object.entries(item)) {
        stack.push({ item: v, key: Array.isArray(item) ? Number(k) : k, parent: entry });
      }
    }
  }
  return problems.reverse();
}

/**
 * Parse JSON from a client: too deep or holding a number that is not finite is a 400 saying
 * where. Text that is not JSON at all is a 400 too, or `undefined` with `orText` (a webhook
 * takes plain text as well).
 */
export function parseJson(
  text: string,
  options: { what?: string; orText?: boolean } = {},
): unknown {
  const what = options.what ?? "the request body";
  try {
    checkJsonDepth(text, what);
  } catch (error) {
    // Plain text with many brackets is still text: too deep only matters for JSON.
    if (options.orText && !isJson(text)) return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (options.orText) return undefined;
    throw new OrchError("E_BAD_INPUT", `${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (hasNonFinite(value)) {
    throw new OrchError("E_BAD_INPUT", `${what} is not valid`, nonFiniteNumbers(value));
  }
  return value;
}

/**
 * Read a request's JSON body and check it against a schema; every problem is reported at once
 * in a 400 (`parameters.n: must be >= 0`). An empty body reads as `{}`.
 */
export async function parseBody<T>(req: Request, schema: object, timeoutMs?: number): Promise<T> {
  const text = await readText(req, timeoutMs);
  const value: unknown = text.trim() ? parseJson(text) : {};
  const issues = checkSchema(schema, value, true);
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

/** Whether text parses as JSON (a parser that runs out of stack counts as no). */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
