/**
 * What a flow's process knows about the run it is: its id, the API that tracks it and the token
 * to call it with, all from the environment the worker started it with (see the process
 * contract). Outside a run (a flow called from a test or a script) there is no run and no API.
 */

import { currentTarget } from "./run-target.ts";

/** The run this process executes, as the worker described it. */
export interface RunContext {
  /** The flow run's id; null outside a run. */
  runId: string | null;
  /** The deployment's name; null for an ad-hoc run or outside a run. */
  deployment: string | null;
  /** Which attempt of the run this is (1 for the first). */
  attempt: number;
  /** The API's base URL (no trailing slash); null when the run is not tracked by a server. */
  apiUrl: string | null;
}

/**
 * The current run: the one this code records into (a test's run, a flow called from a program),
 * else the process's, read from the environment each time (so a test can set it).
 */
export function getRunContext(): RunContext {
  const target = currentTarget();
  if (target) {
    const { runId, deployment, attempt, apiUrl } = target;
    return { runId, deployment, attempt, apiUrl };
  }
  const env = process.env;
  return {
    runId: env.ORCH_RUN_ID || null,
    deployment: env.ORCH_DEPLOYMENT || null,
    attempt: Number(env.ORCH_ATTEMPT) || 1,
    apiUrl: env.ORCH_API_URL ? env.ORCH_API_URL.replace(/\/$/, "") : null,
  };
}

/** Whether this process runs a tracked run: one with a run id and an API to report to. */
export function isTracked(): boolean {
  if (currentTarget()) return true;
  const { runId, apiUrl } = getRunContext();
  return runId !== null && apiUrl !== null;
}

/** An API call of the flow's process that did not succeed. */
export class RunApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = "RunApiError";
  }
}

/**
 * Call orch's API from inside a run, with the run's token: `path` starts with /api/ and may
 * name the run as `:run` (`/api/runs/:run/tasks`); `options.json` is a body already serialised
 * (sent as it is, in place of `body`). Resolves with the parsed JSON answer; throws
 * RunApiError when the run is not tracked, the server cannot be reached, or it answers 4xx/5xx.
 */
export async function callRunApi<T>(
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
  options: { timeoutMs?: number; json?: string } = {},
): Promise<T> {
  const target = currentTarget();
  if (target) {
    const path_ = path.replace(":run", encodeURIComponent(target.runId));
    return target.call<T>(method, path_, options.json ? JSON.parse(options.json) : body);
  }
  const { runId, apiUrl } = getRunContext();
  if (!runId || !apiUrl) throw new RunApiError("this process is not a tracked orch run", null);
  const url = path.replace(":run", encodeURIComponent(runId));
  const body_ = options.json ?? (body === undefined ? undefined : JSON.stringify(body));
  return requestApi<T>(apiUrl, process.env.ORCH_API_TOKEN ?? "", method, url, body_, options);
}

/**
 * One call of orch's API at `apiUrl` with `token`: the parsed JSON answer, or a RunApiError that
 * says what was wrong (the server's problems and where), or that it did not answer.
 */
export async function requestApi<T>(
  apiUrl: string,
  token: string,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  json: string | undefined,
  options: { timeoutMs?: number } = {},
): Promise<T> {
  const url = `${apiUrl}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
      },
      body: json,
      // A server that does not answer must not hold the flow's process open forever.
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new RunApiError(
      `orch's API at ${apiUrl} did not answer: ${(error as Error).message}`,
      null,
    );
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      const { error } = JSON.parse(text) as {
        error?: { message?: string; problems?: { where?: string; message: string }[] };
      };
      // What was wrong and where, as the CLI says it.
      const problems = (error?.problems ?? []).map((p) =>
        p.where ? `${p.where}: ${p.message}` : p.message,
      );
      message = [error?.message ?? text, ...problems].join("; ");
    } catch {}
    throw new RunApiError(`${method} ${path}: ${res.status} ${message}`, res.status);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}
