import { hostname } from "node:os";
import { type DeploymentSpec, type ProjectPaths, VERSION } from "../core/index.ts";
import type { Deployer } from "../definitions/index.ts";
import type { Store } from "../store/index.ts";
import { json } from "./http.ts";
import { createRouter, type Route } from "./router.ts";
import { deploymentRoutes } from "./routes/deployment-routes.ts";

/** What the API serves from. Parts a local (server-less) API lacks are optional. */
export interface ApiDeps {
  store: Store;
  paths: ProjectPaths;
  deployer: Deployer;
  upcoming?: (spec: DeploymentSpec, count: number) => number[];
  /** Routes added by running services (the worker's, the stream's). */
  extraRoutes?: Route[];
}

/** Every API route over `deps`. */
export function apiRoutes(deps: ApiDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/api/health",
      summary: "Whether the server is up",
      handler: () =>
        json({
          status: "ok",
          version: VERSION,
          pid: process.pid,
          project: deps.paths.root,
          host: hostname(),
        }),
    },
    ...deploymentRoutes(deps),
    ...(deps.extraRoutes ?? []),
  ];
}

/** The API as a fetch function (served by Bun.serve, or called in-process by a local client). */
export function createApi(deps: ApiDeps): (req: Request) => Promise<Response> {
  return createRouter(apiRoutes(deps));
}
