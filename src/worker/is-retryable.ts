import { toOrchError } from "../core/index.ts";

/** Errors that mean "the server is away or failing now": keep the report and try again. */
export function isRetryable(error: unknown): boolean {
  const e = toOrchError(error);
  return (
    e.code === "E_NO_SERVER" ||
    e.code === "E_INTERNAL" ||
    e.code === "E_UNAUTHORIZED" ||
    e.code === "E_FORBIDDEN" ||
    // What the server cannot do (it is older than the worker) it will not do on a retry either.
    (e.status >= 500 && e.code !== "E_NOT_IMPLEMENTED")
  );
}
