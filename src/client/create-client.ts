import { type ErrorCode, OrchError, type Problem } from "../core/index.ts";
import type { DeployReport } from "../definitions/create-deployer.ts";
import type { DeploymentJson, EventJson, RunJson, StateJson } from "../store/index.ts";

/** A deployment with what `inspect` adds. */
export interface DeploymentDetail extends DeploymentJson {
  next_runs: string[];
  versions: { version: number; hash: string; created_at: string }[];
}

/** A run with what `inspect` adds. */
export interface RunDetail extends RunJson {
  states: StateJson[];
  tasks: {
    name: string;
    state: string;
    attempts: number;
    started_at: string | null;
    ended_at: string | null;
    cached: boolean;
  }[];
}

export interface ClientOptions {
  /** The server's base URL (`http://127.0.0.1:4200`); ignored by an in-process fetch. */
  url: string;
  token?: string;
  /** How requests are sent: the network by default, or an in-process API. */
  fetch?: (req: Request) => Promise<Response>;
}

/** The one typed client of orch's API, used by the CLI, the TUI and remote workers. */
export type Client = ReturnType<typeof createClient>;

/** Make a client for the API at `options.url`. */
export function createClient(options: ClientOptions) {
  const base = options.url.replace(/\/$/, "");
  const send = options.fetch ?? ((req: Request) => fetch(req));

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
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
        }),
      );
    } catch (error) {
      throw new OrchError(
        "E_NO_SERVER",
        `cannot reach orch at ${base}: ${(error as Error).message}. Is it running (orch up)?`,
      );
    }
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

  const q = (params: Record<string, string | number | boolean | undefined>) => {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, String(v));
    const text = search.toString();
    return text ? `?${text}` : "";
  };
  const name = encodeURIComponent;

  return {
    url: base,
    request,
    health: () =>
      request<{ status: string; version: string; pid: number; project: string }>(
        "GET",
        "/api/health",
      ),
    deploy: () => request<DeployReport>("POST", "/api/deploy"),
    listDeployments: (opts: { all?: boolean } = {}) =>
      request<DeploymentJson[]>("GET", `/api/deployments${q({ all: opts.all ? 1 : undefined })}`),
    getDeployment: (n: string) => request<DeploymentDetail>("GET", `/api/deployments/${name(n)}`),
    pauseDeployment: (n: string) =>
      request<DeploymentJson>("POST", `/api/deployments/${name(n)}/pause`),
    resumeDeployment: (n: string) =>
      request<DeploymentJson>("POST", `/api/deployments/${name(n)}/resume`),
    removeDeployment: (n: string) =>
      request<{ name: string; removed: boolean; source: string | null }>(
        "DELETE",
        `/api/deployments/${name(n)}`,
      ),
    listEvents: (opts: { limit?: number; prefix?: string } = {}) =>
      request<EventJson[]>("GET", `/api/events${q(opts)}`),
  };
}

export type { RunJson };
