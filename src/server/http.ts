import { noRouteError, OrchError, toOrchError } from "../core/index.ts";

/** A JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** Where the API reports what went wrong inside it (the server's logger). */
export interface ErrorLog {
  error(...args: unknown[]): void;
}

/**
 * An error as a JSON response with its status: `{"error": {"code", "message", "problems"}}`.
 * A failure of orch itself (500) is logged once with its stack; its body stays generic, since
 * the runtime's own text says nothing useful to a client and may say too much.
 */
export function errorResponse(error: unknown, req?: Request, log?: ErrorLog): Response {
  const e = toOrchError(error);
  if (e.status !== 500) return json(e.toJSON(), e.status);
  const where = req ? `${req.method} ${new URL(req.url).pathname}` : "a request";
  log?.error(
    `${where} failed inside orch:`,
    error instanceof Error ? (error.stack ?? error) : error,
  );
  const generic =
    error instanceof OrchError
      ? e
      : new OrchError("E_INTERNAL", "orch failed to answer this request; its log has the details");
  return json(generic.toJSON(), 500);
}

/** Throw a 404 for a path that no route serves. */
export function notFound(req: Request): never {
  throw noRouteError(req.method, new URL(req.url).pathname);
}
