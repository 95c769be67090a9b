import type { RunnerOptions } from "../run-job.ts";
import type { DockerEngine } from "./engine.ts";

/**
 * The API's address as a run's container sees it: the worker's own on the host network, none on
 * `network: none` (a flow runs the same without it; its task list is not reported), and on the
 * bridge the gateway the worker serves there (see createApiGateway).
 */
export async function containerApiUrl(network: string, options: RunnerOptions): Promise<string> {
  if (network === "none") return "";
  if (network === "host") return options.apiUrl ?? "";
  if (network !== "bridge") return "";
  return (await options.containerApiUrl?.()) ?? "";
}

/** The API, as containers on the bridge network reach it. */
export interface ApiGateway {
  /** Its URL (started on first use); empty when it cannot be served. */
  url(): Promise<string>;
  stop(): void;
}

/**
 * Serve the API on the bridge network's gateway address, for runs in containers: the server
 * binds 127.0.0.1, which a container cannot reach. Every request must carry the token (other
 * containers on the bridge can reach this address too); it is passed on to the API as it came,
 * with the API's own Host, so the server's checks apply unchanged.
 */
export function createApiGateway(
  engine: DockerEngine,
  options: { apiUrl?: string; token?: string; warn?: (message: string) => void },
): ApiGateway {
  let server: ReturnType<typeof Bun.serve> | null = null;
  let starting: Promise<string> | null = null;
  const api = options.apiUrl?.replace(/\/$/, "");
  const start = async (): Promise<string> => {
    if (!api) return "";
    let host: string | null;
    try {
      host = await engine.networkGateway("bridge");
    } catch {
      return "";
    }
    if (!host) return "";
    try {
      server = Bun.serve({
        hostname: host,
        port: 0,
        fetch: async (req) => {
          if (!options.token || req.headers.get("authorization") !== `Bearer ${options.token}`) {
            return Response.json(
              { error: { code: "E_UNAUTHORIZED", message: "this gateway needs the run's token" } },
              { status: 401 },
            );
          }
          const url = new URL(req.url);
          const headers = new Headers(req.headers);
          headers.delete("host");
          headers.delete("origin");
          return fetch(`${api}${url.pathname}${url.search}`, {
            method: req.method,
            headers,
            ...(req.body ? { body: req.body } : {}),
            redirect: "manual",
          });
        },
      });
    } catch (error) {
      options.warn?.(
        `containers cannot reach the API: could not listen on ${host}: ${(error as Error).message}`,
      );
      return "";
    }
    return `http://${host}:${server.port}`;
  };
  return {
    url: () => {
      starting ??= start();
      return starting;
    },
    stop: () => {
      server?.stop(true);
      server = null;
    },
  };
}
