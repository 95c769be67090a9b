import { OrchError, toOrchError } from "../core/index.ts";

/** A JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** An error as a JSON response with its status: `{"error": {"code", "message", "problems"}}`. */
export function errorResponse(error: unknown): Response {
  const e = toOrchError(error);
  return json(e.toJSON(), e.status);
}

/** Throw a 404 for a path that no route serves. */
export function notFound(req: Request): never {
  throw new OrchError("E_NOT_FOUND", `no route ${req.method} ${new URL(req.url).pathname}`);
}
