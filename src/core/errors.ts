/** Stable error codes: each maps once to an HTTP status and a CLI exit code. */
export const ERROR_CODES = {
  E_BAD_INPUT: { status: 400, exit: 2 },
  E_INVALID_DEFINITION: { status: 422, exit: 2 },
  E_UNAUTHORIZED: { status: 401, exit: 2 },
  E_FORBIDDEN: { status: 403, exit: 2 },
  E_NOT_FOUND: { status: 404, exit: 2 },
  E_AMBIGUOUS: { status: 409, exit: 2 },
  E_CONFLICT: { status: 409, exit: 1 },
  E_ILLEGAL_TRANSITION: { status: 409, exit: 1 },
  E_TOO_LARGE: { status: 413, exit: 2 },
  E_TIMEOUT: { status: 408, exit: 1 },
  E_BUSY: { status: 503, exit: 1 },
  E_NOT_IMPLEMENTED: { status: 501, exit: 2 },
  E_ALREADY_RUNNING: { status: 409, exit: 1 },
  E_NO_SERVER: { status: 503, exit: 1 },
  E_STORE_VERSION: { status: 500, exit: 1 },
  E_INTERNAL: { status: 500, exit: 1 },
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/** One problem, with where it is when known (`flows/etl.yaml:7:5`, `parameters.n`). */
export interface Problem {
  where?: string;
  message: string;
}

/** orch's one error type: a stable code, a message that says what to do next, and details. */
export class OrchError extends Error {
  override readonly name = "OrchError";
  readonly code: ErrorCode;
  readonly problems: Problem[];

  constructor(code: ErrorCode, message: string, problems: Problem[] = []) {
    super(message);
    this.code = code;
    this.problems = problems;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  toJSON(): { error: { code: ErrorCode; message: string; problems?: Problem[] } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.problems.length ? { problems: this.problems } : {}),
      },
    };
  }
}

/** Any thrown value as an OrchError (unknown errors become E_INTERNAL). */
export function toOrchError(error: unknown): OrchError {
  if (error instanceof OrchError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new OrchError("E_INTERNAL", message);
}

// Every orch server has answered a missing route with this text: stored in no file, never
// renamed (a newer client reads it from an older server).
const NO_ROUTE = "no route";

/**
 * The 404 of a path no route serves, told apart from a 404 of a thing that does not exist: a
 * client newer than its server meets it for a route the server does not have yet.
 */
export function noRouteError(method: string, path: string): OrchError {
  return new OrchError("E_NOT_FOUND", `${NO_ROUTE} ${method} ${path}`);
}

/** Whether `error` is a server's answer that it has no such route (see noRouteError). */
export function isNoRoute(error: unknown): boolean {
  return (
    error instanceof OrchError &&
    error.code === "E_NOT_FOUND" &&
    error.message.startsWith(`${NO_ROUTE} `)
  );
}

/** A problem as one line: `where: message`. */
export function renderProblem(p: Problem): string {
  return p.where ? `${p.where}: ${p.message}` : p.message;
}

/** An error in one line, with its problems: `the parameters do not match ...: count: must be <= 10`. */
export function errorLine(error: unknown): string {
  const e = toOrchError(error);
  return e.problems.length
    ? `${e.message}: ${e.problems.map(renderProblem).join("; ")}`
    : e.message;
}
