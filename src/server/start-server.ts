import { existsSync, mkdirSync } from "node:fs";
import {
  createPacer,
  OrchError,
  parseDuration,
  projectPaths,
  readServerFile,
  removeServerFile,
  systemClock,
  VERSION,
  writeServerFile,
} from "../core/index.ts";
import { createDefinitionReader, createDeployer, watchDefinitions } from "../definitions/index.ts";
import type { TriggerEngine } from "../events/index.ts";
import { type Scheduler, upcomingRuns } from "../scheduler/index.ts";
import { createSecretBox, createSecrets } from "../secrets/index.ts";
import {
  acquireInstanceLock,
  ensureDataDir,
  ensureToken,
  openStore,
  revokeWebSession,
  type Store,
  startCheckpoints,
  webSessionState,
} from "../store/index.ts";
import { createRunMetrics, startOtlpExporter } from "../telemetry/index.ts";
import { createWebFront, createWebSessions, type WebSessions } from "../web/index.ts";
import { cancelRun, createFlowDescriber, type EmbeddedWorker, retryRun } from "../worker/index.ts";
import { createAddressCheck, createAuthorizer } from "./auth.ts";
import { localUrl, reachableUrls } from "./bind-addresses.ts";
import { createApi } from "./create-api.ts";
import { connectionBudget, openFileCount, raiseFileLimit } from "./fd-limit.ts";
import { errorResponse } from "./http.ts";
import { logDeploy } from "./log-deploy.ts";
import { logRunStates } from "./log-run-states.ts";
import { metricsRoute } from "./routes/metrics-route.ts";
import { loginCodeRoute } from "./routes/web-routes.ts";
import { listenApi } from "./serve-api.ts";
import type { Logger, OrchServer, ServerOptions, ServerStopOptions } from "./server-options.ts";
import { startRetention } from "./start-retention.ts";
import { Stopped, startServices, stoppable } from "./start-services.ts";

const quiet: Logger = { info() {}, warn() {}, error() {} };

/**
 * Start orch for a project: the data dir, the single-server lock, the store, the token, the
 * API, and `.orch/server.json` once it listens. Throws E_ALREADY_RUNNING when another server
 * holds the project.
 */
export async function startServer(options: ServerOptions = {}): Promise<OrchServer> {
  const paths = projectPaths(options.dir, options.env);
  const logger = options.logger ?? quiet;
  ensureDataDir(paths);
  const release = acquireInstanceLock(paths.lock);
  if (!release) {
    const running = readServerFile(paths.serverFile);
    throw new OrchError(
      "E_ALREADY_RUNNING",
      running
        ? `orch is already running for ${paths.root} at ${running.url} (pid ${running.pid}). Stop it first, watch it with \`orch monitor\`, or use its API.`
        : `orch is already running for ${paths.root} (it holds ${paths.lock}). Stop it first, or watch it with \`orch monitor\`.`,
    );
  }
  let store: Store | undefined;
  const stops: ((how: ServerStopOptions) => Promise<void>)[] = [];
  try {
    // Started first: its thread loads the definitions' parser while the store opens.
    const reader = createDefinitionReader({
      onFailed: (message) =>
        logger.warn(`definition files are parsed on the server's thread (${message})`),
    });
    stops.push(async () => reader.stop());
    store = openStore(paths.db, { clock: options.clock ?? systemClock });
    const opened = store;
    // Checkpoints on a thread of their own (see startCheckpoints); stopped last, as it started.
    const checkpoints = startCheckpoints(store);
    if (checkpoints) stops.push(() => checkpoints.stop());
    if (store.upgraded) {
      const { from, to, backup } = store.upgraded;
      logger.info(
        `upgraded the store from schema ${from} to ${to}; the store before is at ${backup}`,
      );
    }
    const token = ensureToken(paths);
    const host = options.host ?? "127.0.0.1";
    if (!existsSync(paths.flows)) {
      mkdirSync(paths.flows, { recursive: true });
      logger.info(`made ${paths.flows} for deployment definitions (orch init writes examples)`);
    }
    const deployer = createDeployer(store, paths, { describeFlow: createFlowDescriber(), reader });
    if (options.logRuns) stops.push(logRunStates(store, logger));
    const clock = store.clock;
    let authorize: (req: Request) => void = () => {};
    const staleAfterMs = options.staleAfterMs ?? workerTimeout(options.env ?? process.env);
    let worker: EmbeddedWorker | null = null;
    let triggers: TriggerEngine | null = null;
    const secrets = createSecrets(store, paths, createSecretBox(paths, options.env ?? process.env));
    const metrics = createRunMetrics(store);
    stops.push(async () => metrics.stop());
    if (options.otel) {
      const exporter = startOtlpExporter({ store, url: options.otel, log: logger });
      stops.push(() => exporter.stop());
      logger.info(`sending a span per finished run to ${options.otel} (OTLP)`);
    }
    const retention = startRetention({
      store,
      paths,
      logger,
      ...(options.retention === false ? { firstDelayMs: null } : options.retention),
    });
    stops.push(() => retention.stop());
    // The web UI's sessions are keyed to the port, known once the server listens.
    let sessions: WebSessions | undefined;
    const api = createApi({
      store,
      paths,
      deployer,
      secrets,
      staleAfterMs,
      ownWorkerId: () => worker?.id ?? null,
      cancel: cancelRun,
      retry: retryRun,
      claimNow: (pool, made) => worker?.claimNow(pool, made) ?? [],
      startAs: (pool, made) => worker?.startAs(pool, made) ?? null,
      settle: (runId) => worker?.settle(runId),
      triggersNow: (eventId) => triggers?.handleNow(eventId) ?? null,
      upcoming: (spec, count) => upcomingRuns(spec, count, clock.now()),
      onDeploy: (report) => logDeploy(report, logger, opened),
      authorize: (req) => authorize(req),
      webSessionsEnded: () => sessions?.reload(),
      extraRoutes: [
        metricsRoute(metrics),
        loginCodeRoute(
          () => sessions!,
          () => clock.now(),
        ),
      ],
      log: logger,
      bodyTimeoutMs: options.connections?.bodyTimeoutMs,
      keepAliveMs: options.connections?.keepAliveMs,
    });
    const limit = await raiseFileLimit();
    const { total, perAddress, headTimeoutMs, idleTimeoutMs } = options.connections ?? {};
    const budget = connectionBudget(limit?.soft ?? 1024, openFileCount());
    // The API listens first: health answers at once, and every route serves while a large
    // project's definitions load behind it (in slices, see loadProject).
    let fetch = api;
    const server = listenApi({
      host,
      port: options.port,
      fetch: (req) => fetch(req),
      budget: {
        ...budget,
        total: total ?? budget.total,
        perAddress: perAddress ?? budget.perAddress,
      },
      timeouts: { headMs: headTimeoutMs, idleMs: idleTimeoutMs },
      log: logger,
    });
    const port = server.port;
    authorize = createAuthorizer({ token, host, port });
    const web = createWebSessions({
      token,
      port,
      clock,
      memory: {
        load: () => webSessionState(opened),
        revoke: (session) => revokeWebSession(opened, session, clock.now()),
      },
    });
    sessions = web;
    fetch = createWebFront({
      api,
      token,
      sessions: web,
      checkAddress: createAddressCheck({ host, port }),
      errorResponse: (error, req) => errorResponse(error, req, logger),
    });
    stops.push(() => server.stop());
    const url = localUrl(host, port);
    writeServerFile(paths.serverFile, {
      url,
      pid: process.pid,
      started_at: new Date().toISOString(),
      version: VERSION,
    });
    let stopping = false;
    // Long work's rests leave the log room to start over (see Checkpoints.pace).
    const slices = createPacer();
    const pacer = stoppable(checkpoints ? checkpoints.pace(slices) : slices, () => stopping);
    const stopWatching = await watchDefinitions(paths.flows, deployer, {
      pacer,
      onReport: (report) => logDeploy(report, logger, opened),
      onError: (error) => logger.error("redeploy failed:", error),
    });
    stops.push(stopWatching);
    let planner: Scheduler | null = null;
    const loaded = startServices({
      store: opened,
      deployer,
      logger,
      pacer,
      paths,
      options,
      secrets,
      url,
      token,
      staleAfterMs,
      onReport: (report) => logDeploy(report, logger, opened),
      stops,
      stopping: () => stopping,
      onScheduler: (scheduler) => {
        planner = scheduler;
      },
      onWorker: (started) => {
        worker = started;
      },
      onTriggers: (engine) => {
        triggers = engine;
      },
    }).catch((error) => {
      if (error instanceof Stopped) return;
      throw error;
    });
    if (options.waitForLoad !== false) {
      await loaded;
      // Whoever waits for the load finds every schedule's horizon planned, not only its next run.
      await (planner as Scheduler | null)?.idle();
    } else
      loaded.catch((error) =>
        logger.error("loading the project failed; restart orch to try again:", error),
      );
    let stopped = false;
    return {
      url,
      reachableAt: reachableUrls(host, port),
      port,
      store,
      token,
      get worker() {
        return worker;
      },
      loaded: loaded.then(() => {}),
      runRetention: () => retention.runNow(),
      loginUrl: () => `${url}/login?code=${web.newCode()}`,
      async stop(how = {}) {
        if (stopped) return;
        stopped = true;
        stopping = true;
        await loaded.catch(() => {});
        for (const stop of stops.reverse()) await stop(how);
        if (existsSync(paths.serverFile)) removeServerFile(paths.serverFile);
        opened.close();
        release();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop({});
    store?.close();
    release();
    throw error;
  }
}

/** ORCH_WORKER_TIMEOUT (a duration: `30s`, `500ms`), or 30 s. */
function workerTimeout(env: Record<string, string | undefined>): number {
  const text = env.ORCH_WORKER_TIMEOUT;
  const ms = text ? parseDuration(text) : undefined;
  if (text && (ms === undefined || ms <= 0)) {
    throw new OrchError(
      "E_BAD_INPUT",
      `ORCH_WORKER_TIMEOUT must be a duration such as 30s or 500ms, not ${JSON.stringify(text)}`,
    );
  }
  return ms ?? 30_000;
}
