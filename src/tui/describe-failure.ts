import { OrchError } from "../core/index.ts";

/**
 * A failed request as one line for the monitor: the status, what it means, and what to do next.
 * The server's own message follows in parentheses when it adds something.
 */
export function describeFailure(error: unknown): string {
  if (!(error instanceof OrchError)) {
    // A stream cut off mid-way (the server stopped): the runtime's own text is long and generic.
    const code = (error as { code?: unknown })?.code;
    if (typeof code === "string") return `the connection to orch was lost (${code})`;
    return (error as Error)?.message ?? String(error);
  }
  const said = error.message ? ` (${error.message})` : "";
  switch (error.code) {
    case "E_NO_SERVER":
      return error.message;
    case "E_UNAUTHORIZED":
      return `401: the token was refused — is this the project's server? Run the monitor in the project's folder, or pass its --token${said}`;
    case "E_FORBIDDEN":
      return `403: the server refused this client — attach with the address it listens on${said}`;
  }
  if (error.status >= 500) {
    return `${error.status}: orch failed inside${said}; the server's log (orch up's output) has the details`;
  }
  return `${error.status}: ${error.message}`;
}

/**
 * Whether a background fetch's failure is news. Not when the server is gone or the connection
 * dropped (the connection line already says so), nor when the thing was removed meanwhile (404):
 * every answer orch gave otherwise (401, 500, ...) is.
 */
export function worthShowing(error: unknown): boolean {
  if (!(error instanceof OrchError)) return false;
  return error.code !== "E_NO_SERVER" && error.code !== "E_NOT_FOUND";
}
