/**
 * The page's one way to call orch's API: same origin, with the session cookie the browser holds,
 * the CSRF token on every change, and an error's JSON body turned into an ApiError whose message
 * is the server's own (with each problem's place). A GET the boot script already started is
 * answered by that request.
 */
import { type PageSession, pageSession, takeEarly, takeEarlyNow } from "./early.ts";

/** The header the server reads the CSRF token from (the server's CSRF_HEADER). */
const CSRF_HEADER = "x-orch-csrf";

/** One problem the server found, with where it is (`parameters.limit`). */
export interface ApiProblem {
  where?: string;
  message: string;
}

/** An error answer from the API, or no answer at all (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problems: ApiProblem[];

  constructor(status: number, code: string, message: string, problems: ApiProblem[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.problems = problems;
  }

  /** The message with each problem on its own line. */
  describe(): string {
    const lines = this.problems.map((p) => (p.where ? `${p.where}: ${p.message}` : p.message));
    return [this.message, ...lines].join("\n");
  }
}

type AuthListener = (loggedIn: boolean) => void;
const authListeners = new Set<AuthListener>();

/** Be told when the server says this browser is (no longer) logged in. */
export function onAuth(listener: AuthListener): () => void {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}

function sayAuth(loggedIn: boolean): void {
  for (const listener of authListeners) listener(loggedIn);
}

let csrf: Promise<string> | null = null;

/** The session's CSRF token (from the page, else asked for once per page load). */
function csrfToken(): Promise<string> {
  const given = pageSession()?.csrf_token;
  if (given) return Promise.resolve(given);
  csrf ??= checkSession().then((s) => s.csrf_token);
  csrf.catch(() => {
    csrf = null;
  });
  return csrf;
}

async function answer<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {}
  if (res.ok) return body as T;
  const error = (body as { error?: { code?: string; message?: string; problems?: ApiProblem[] } })
    ?.error;
  if (res.status === 401) sayAuth(false);
  throw new ApiError(
    res.status,
    error?.code ?? `HTTP_${res.status}`,
    error?.message ?? `orch answered ${res.status} ${res.statusText}`,
    error?.problems ?? [],
  );
}

async function respond(method: string, path: string, init: RequestInit): Promise<Response> {
  try {
    const early = method === "GET" ? takeEarly(path) : undefined;
    return await (early ?? fetch(path, { method, credentials: "same-origin", ...init }));
  } catch {
    throw new ApiError(0, "E_OFFLINE", "orch does not answer (is orch up still running?)");
  }
}

async function send<T>(method: string, path: string, init: RequestInit): Promise<T> {
  return answer<T>(await respond(method, path, init));
}

/** GET an API path, with the answer's headers (a listing's `x-next-cursor`). */
export async function getPage<T>(path: string): Promise<{ body: T; headers: Headers }> {
  const res = await respond("GET", path, {});
  return { body: await answer<T>(res), headers: res.headers };
}

/** Whether the page was served to a logged-in browser (the server wrote its session in). */
export const servedLoggedIn = (): boolean => pageSession() !== null;

/** Whether this browser holds a session: its CSRF token, or an ApiError (401 when not). */
export async function checkSession(): Promise<PageSession> {
  const session = await send<PageSession>("GET", "/web/session", {});
  sayAuth(true);
  return session;
}

/**
 * GET `path` answered at once, when the boot script's answer is in (and a success): for a page's
 * first frame. Otherwise undefined, and the page asks as usual.
 */
export function getNow<T>(path: string): { body: T; next: string | null } | undefined {
  const done = takeEarlyNow(path);
  if (!done) return undefined;
  try {
    return { body: JSON.parse(done.text) as T, next: done.next };
  } catch {
    return undefined;
  }
}

/** GET an API path (`/api/deployments`). */
export function get<T>(path: string): Promise<T> {
  return send<T>("GET", path, {});
}

/** POST (or another change) to an API path, with a JSON body. */
export async function change<T>(
  method: "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { [CSRF_HEADER]: await csrfToken() };
  if (body !== undefined) headers["content-type"] = "application/json";
  return send<T>(method, path, {
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** POST to an API path, with a JSON body. */
export function post<T>(path: string, body?: unknown): Promise<T> {
  return change<T>("POST", path, body);
}

/** A path segment, encoded (`deployments/${seg(name)}`). */
export const seg = encodeURIComponent;

/** Log this browser out: the server ends its session (the cookie no longer works anywhere). */
export async function logOut(): Promise<void> {
  await change("DELETE", "/web/session");
  sayAuth(false);
}
