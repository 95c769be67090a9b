/**
 * How the client talks to orch's API: one request sent with the token, answered as JSON or
 * followed as a stream (SSE), and every failure turned into an OrchError with the server's own
 * code, message and problems, or E_NO_SERVER in a few words when nothing answered. The typed
 * calls of create-client.ts are paths and shapes on top of it.
 */
import { OrchError } from "../core/errors.ts";
import type { ErrorCode, Problem } from "../core/index.ts";
import { readSse, type SseEvent } from "./read-sse.ts";

/** Options of a client: where the API is, and how to reach it. */
export interface ClientOptions {
  /** The server's base URL (`http://127.0.0.1:4200`); ignored by an in-process fetch. */
  url: string;
  token?: string;
  /** How requests are sent: the network by default, or an in-process API. */
  fetch?: (req: Request) => Promise<Response>;
  /**
   * Where the token came from, for orch's commands (see findServer): given, a refused token is
   * said with its source and what to do, rather than as the API tells a program.
   */
  tokenFrom?: string | null;
}

/** A refused token in the words of orch's commands: which one, from where, and what to do. */
function refusedToken(base: string, tokenFrom: string | null): string | undefined {
  if (tokenFrom === null) {
    return `orch at ${base} needs its API token: pass --token, or set ORCH_API_TOKEN (the token is in that server's .orch/token)`;
  }
  if (tokenFrom === ".orch/token") return undefined;
  const instead =
    tokenFrom === "ORCH_API_TOKEN"
      ? "unset ORCH_API_TOKEN to use the project's .orch/token, or set it to that server's token"
      : "give that server's token";
  return `the API token from ${tokenFrom} is not the token of orch at ${base}: ${instead} (it is in the server's .orch/token)`;
}

/** Why a request got no answer, in a few words (the runtime's own text is long and generic). */
function networkReason(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ConnectionRefused" || code === "ECONNREFUSED") return "connection refused";
  if (code === "ECONNRESET" || code === "ConnectionClosed") return "the connection closed";
  if (code === "ETIMEDOUT" || code === "TimeoutError") return "timed out";
  if (code === "ENOTFOUND" || code === "FailedToOpenSocket") return "no such host";
  return code ?? (error as Error).message?.split(".")[0] ?? String(error);
}

/** Requests to the API at `options.url`, and its answers. */
export function createTransport(options: ClientOptions) {
  const base = options.url.replace(/\/$/, "");
  const send = options.fetch ?? ((req: Request) => fetch(req));

  async function raw(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await send(
        new Request(`${base}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal,
        }),
      );
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new OrchError(
        "E_NO_SERVER",
        `cannot reach orch at ${base} (${networkReason(error)}); is it running (orch up)?`,
      );
    }
    if (!res.ok) await failure(res);
    return res;
  }

  async function failure(res: Response): Promise<never> {
    const text = await res.text();
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {}
    const error = (data as { error?: { code?: ErrorCode; message?: string; problems?: Problem[] } })
      ?.error;
    const refused =
      error?.code === "E_UNAUTHORIZED" && options.tokenFrom !== undefined
        ? refusedToken(base, options.tokenFrom)
        : undefined;
    throw new OrchError(
      error?.code ?? "E_INTERNAL",
      refused ?? error?.message ?? `HTTP ${res.status}`,
      error?.problems ?? [],
    );
  }

  /**
   * Follow a stream (SSE) until it ends or `signal` aborts. `onOpen` is called once the server
   * has answered 200, before the first message: a quiet stream is open all the same.
   */
  async function* stream<M extends SseEvent = SseEvent>(
    path: string,
    signal?: AbortSignal,
    onOpen?: () => void,
  ): AsyncGenerator<M> {
    const res = await raw("GET", path, undefined, signal);
    if (!res.body) return;
    onOpen?.();
    // The route declares its messages (x-events in the OpenAPI document); they are trusted as such.
    yield* readSse(res.body) as AsyncGenerator<M>;
  }

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await raw(method, path, body);
    const text = await res.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      throw new OrchError(
        "E_INTERNAL",
        `orch at ${base} answered ${res.status} with a body that is not JSON`,
      );
    }
    if (!res.ok) {
      const error = (
        data as { error?: { code?: ErrorCode; message?: string; problems?: Problem[] } }
      )?.error;
      throw new OrchError(
        error?.code ?? "E_INTERNAL",
        error?.message ?? `HTTP ${res.status}`,
        error?.problems ?? [],
      );
    }
    return data as T;
  }

  return { base, raw, request, stream };
}
