import { hostname } from "node:os";
import {
  type DeploymentSpec,
  type DeployReport,
  HEALTH,
  type HealthJson,
  OPENAPI_DOCUMENT,
  type ProjectPaths,
  type StartedRun,
  VERSION,
} from "../core/index.ts";
import type { Deployer } from "../definitions/index.ts";
import { createSecrets, type Secrets } from "../secrets/index.ts";
import type { ProposedStep, RunRow, Store } from "../store/index.ts";
import { type ErrorLog, json } from "./http.ts";
import { openApiDocument } from "./openapi.ts";
import { createRouter, type Route } from "./router.ts";
import { backfillRoutes } from "./routes/backfill-routes.ts";
import { cacheRoutes } from "./routes/cache-routes.ts";
import { deploymentRoutes } from "./routes/deployment-routes.ts";
import { eventRoutes } from "./routes/event-routes.ts";
import { poolRoutes } from "./routes/pool-routes.ts";
import { problemRoutes } from "./routes/problem-routes.ts";
import { remoteWorkerRoutes } from "./routes/remote-worker-routes.ts";
import { runRoutes } from "./routes/run-routes.ts";
import { tagSlotRoutes } from "./routes/tag-slot-routes.ts";
import { triggerRoutes } from "./routes/trigger-routes.ts";
import { valueRoutes } from "./routes/value-routes.ts";
import { wakeRoutes } from "./routes/wake-routes.ts";
import { endSessionsRoute } from "./routes/web-routes.ts";
import { webhookRoutes } from "./routes/webhook-routes.ts";
import { workerRoutes } from "./routes/worker-routes.ts";

/** What the API serves from. Parts a local (server-less) API lacks are optional. */
export interface ApiDeps {
  store: Store;
  paths: ProjectPaths;
  deployer: Deployer;
  upcoming?: (spec: DeploymentSpec, count: number) => number[];
  /** No scheduler plans runs into the store: next runs come from the schedules (see deploymentRoutes). */
  unplanned?: boolean;
  /** Cancel and retry runs (a server's worker); a server-less API refuses them. */
  cancel?: (store: Store, runId: string, message?: string) => RunRow;
  retry?: (store: Store, runId: string) => RunRow;
  /**
   * Claim due runs of a pool for the server's own worker, in the caller's transaction; the runs
   * it moved (see EmbeddedWorker.claimNow).
   */
  claimNow?: (pool: string, made?: RunRow) => RunRow[];
  /** The state a run being made starts in (see EmbeddedWorker.startAs). */
  startAs?: (pool: string, made: RunRow) => ProposedStep | null;
  /** Write what the server's worker holds back of a run (see EmbeddedWorker.settle). */
  settle?: (runId: string) => void;
  /** Workers silent this long are marked offline (the worker protocol tells them). */
  staleAfterMs?: number;
  /** The server's own worker's id (null until it starts); the offline route refuses it. */
  ownWorkerId?: () => string | null;
  /**
   * Told of each deploy pass the API makes: asked for (POST /api/deploy), or on its own (a
   * re-check once a secret is set).
   */
  onDeploy?: (report: DeployReport) => void;
  /** The project's secrets (default: made over the store and the project's key). */
  secrets?: Secrets;
  /** Routes added by running services. */
  extraRoutes?: Route[];
  /** Every web UI session was ended (the server's sessions read their state again). */
  webSessionsEnded?: () => void;
  /** Refuses requests that may not ask (the server's token and Host/Origin rules). */
  authorize?: (req: Request) => void;
  /** Where failures of orch itself (500s) are logged with their stack. */
  log?: ErrorLog;
  /** How long a client has to send a request's body (default BODY_TIMEOUT_MS). */
  bodyTimeoutMs?: number;
  /** How often a quiet stream sends a comment (default KEEP_ALIVE_MS). */
  keepAliveMs?: number;
  /** Have the server's triggers take an event at once (see TriggerEngine.handleNow). */
  triggersNow?: (eventId: number) => StartedRun[] | null;
}

/** Every API route over `deps`, with GET /api/openapi.json describing them all. */
export function apiRoutes(deps: ApiDeps): Route[] {
  const secrets = deps.secrets ?? createSecrets(deps.store, deps.paths);
  const health: HealthJson = {
    status: "ok",
    version: VERSION,
    pid: process.pid,
    project: deps.paths.root,
    host: hostname(),
  };
  const routes: Route[] = [
    {
      method: "GET",
      path: "/api/health",
      operationId: "getHealth",
      summary: "Whether the server is up",
      response: { description: "The server's version, pid, project and host", schema: HEALTH },
      // The same answer every time: made once, so a health check costs only the request.
      handler: () => json(health),
    },
    ...deploymentRoutes(deps),
    ...runRoutes({ ...deps, values: (names) => secrets.forRun(names) }),
    ...tagSlotRoutes(deps),
    ...cacheRoutes(deps),
    ...eventRoutes(deps),
    ...webhookRoutes({
      store: deps.store,
      secrets: { secret: (name) => secrets.values([name])[name], env: process.env },
      bodyTimeoutMs: deps.bodyTimeoutMs,
      ...(deps.triggersNow ? { triggersNow: deps.triggersNow } : {}),
    }),
    ...triggerRoutes(deps),
    ...remoteWorkerRoutes({ ...deps, values: (spec) => secrets.forRun(spec) }),
    ...workerRoutes(deps),
    ...valueRoutes({
      store: deps.store,
      secrets,
      deployer: deps.deployer,
      ...(deps.onDeploy ? { onDeploy: deps.onDeploy } : {}),
    }),
    ...backfillRoutes(deps),
    ...wakeRoutes(deps),
    ...poolRoutes(deps),
    ...problemRoutes(deps),
    endSessionsRoute(deps.store, deps.webSessionsEnded),
    ...(deps.extraRoutes ?? []),
  ];
  routes.push({
    method: "GET",
    path: "/api/openapi.json",
    operationId: "getOpenApiDocument",
    summary: "This API as an OpenAPI document",
    response: { description: "The OpenAPI 3.1 document", schema: OPENAPI_DOCUMENT },
    handler: () => json(document),
  });
  // Made once, after every route (this one too) is in the list.
  const document = openApiDocument(routes);
  return routes;
}

/** The API as a fetch function (served by Bun.serve, or called in-process by a local client). */
export function createApi(deps: ApiDeps): (req: Request) => Promise<Response> {
  return createRouter(apiRoutes(deps), {
    authorize: deps.authorize,
    log: deps.log,
    bodyTimeoutMs: deps.bodyTimeoutMs,
  });
}
