import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type Clock,
  createPacer,
  OrchError,
  type Pacer,
  parseDuration,
  projectPaths,
  readServerFile,
  removeServerFile,
  renderProblem,
  systemClock,
  VERSION,
  writeServerFile,
} from "../core/index.ts";
import { rollbackEndedLine } from "../core/rollback-ended.ts";
import {
  createDefinitionReader,
  createDeployer,
  type DeployReport,
  watchDefinitions,
} from "../definitions/index.ts";
import { startFileArrivals, startTriggers } from "../events/index.ts";
import { type Scheduler, startBackfills, upcomingRuns } from "../scheduler/index.ts";
import { createSecretBox, createSecrets } from "../secrets/index.ts";
import {
  acquireInstanceLock,
  deploymentSources,
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
import {
  cancelRun,
  createFlowDescriber,
  createReaper,
  type EmbeddedWorker,
  retryRun,
  startPauseTimeouts,
  startPoolWorkers,
} from "../worker/index.ts";
import { createAddressCheck, createAuthorizer } from "./auth.ts";
import { createApi } from "./create-api.ts";
import { connectionBudget, openFileCount, raiseFileLimit } from "./fd-limit.ts";
import { errorResponse } from "./http.ts";
import { loadProject } from "./load-project.ts";
import { logInfoLines } from "./log-lines.ts";
import { logRunStates } from "./log-run-states.ts";
import { metricsRoute } from "./routes/metrics-route.ts";
import { loginCodeRoute } from "./routes/web-routes.ts";
import { listenApi } from "./serve-api.ts";
import { type RetentionPass, startRetention } from "./start-retention.ts";

/** Where the server's messages go (the CLI passes its logger; tests pass their own). */
export interface Logger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  /**
   * Several info lines at once (a turn's run lines), each a message of its own; without it they
   * go to info as one text, a line each.
   */
  infoLines?(lines: string[]): void;
}

export interface ServerOptions {
  dir?: string;
  /** 0 picks a free port. Default 4200, or a free port when 4200 is taken. */
  port?: number;
  host?: string;
  clock?: Clock;
  logger?: Logger;
  env?: Record<string, string | undefined>;
  /** Workers silent this long are marked offline and their runs CRASHED. Default: ORCH_WORKER_TIMEOUT, or 30 s. */
  staleAfterMs?: number;
  /** The embedded workers: the default pool's and each declared pool's; false runs none. */
  worker?: false | { concurrency?: number; graceMs?: number };
  /** An OpenTelemetry collector to send a span per finished run to (OTLP/HTTP JSON); off when unset. */
  otel?: string;
  /** When retention runs (default: a minute after start, then hourly); false runs none. */
  retention?: false | { intervalMs?: number; firstDelayMs?: number };
  /** Log each run's start and end (plain logs; a monitor shows runs itself). */
  logRuns?: boolean;
  /**
   * Resolve once the project is loaded (its definitions deployed and planned, the worker
   * started), the default; false resolves as soon as the API listens (`orch up`: the monitor
   * shows the load's progress), with `loaded` telling when it is done.
   */
  waitForLoad?: boolean;
  /** A load that takes longer than this tells its progress (events, log lines). Default 1 s. */
  progressAfterMs?: number;
  /** Caps on API connections (by default computed from the open-file limit) and their timeouts. */
  connections?: {
    total?: number;
    perAddress?: number;
    headTimeoutMs?: number;
    idleTimeoutMs?: number;
    bodyTimeoutMs?: number;
    keepAliveMs?: number;
  };
}

/** A running orch server. */
export interface OrchServer {
  url: string;
  port: number;
  store: Store;
  token: string;
  /** The embedded worker, when one runs (null until the project is loaded). */
  readonly worker: EmbeddedWorker | null;
  /** Resolves once the project is loaded: definitions deployed, schedules planned, worker started. */
  loaded: Promise<void>;
  /** The web UI's URL with a fresh one-time login code (valid until used or the server stops). */
  loginUrl(): string;
  /** Apply retention now (after a pass under way); what it did. */
  runRetention(): Promise<RetentionPass>;
  /**
   * Stop serving, release the lock, remove server.json. The embedded worker takes no more runs
   * and gives its running ones `graceMs` (default 0) before they end CANCELLED ("orch was
   * stopped"), or with `drain` waits for them. Safe to call twice.
   */
  stop(how?: ServerStopOptions): Promise<void>;
}

/** How a server stops its embedded worker's runs. */
export interface ServerStopOptions {
  /** How long running runs may go on before they are stopped. Default 0. */
  graceMs?: number;
  /** Wait for running runs to end, however long they take. */
  drain?: boolean;
}

const quiet: Logger = { info() {}, warn() {}, error() {} };

/** The load was cut short because the server stops. */
class Stopped extends Error {}

/** A pacer whose rest throws Stopped once the server stops, so a long pass ends at its next slice. */
function stoppable(pacer: Pacer, stopping: () => boolean): Pacer {
  return {
    over: pacer.over,
    async rest() {
      await pacer.rest();
      if (stopping()) throw new Stopped();
    },
  };
}

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
      claimNow: (pool) => worker?.claimNow(pool) ?? [],
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
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
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
    const startServices = async () => {
      // Before the worker: runs missed while orch was down are caught up before any is claimed.
      const scheduler = await loadProject({
        store: opened,
        deployer,
        logger,
        pacer,
        onReport: (report) => logDeploy(report, logger, opened),
        sleepCheckMs: 2000,
        quietMs: options.progressAfterMs,
        stopped: () => stopping,
      });
      stops.push(async () => scheduler.stop());
      planner = scheduler;
      if (stopping) return;
      // Backfills go on where they were; their runs wait behind the schedules' in the claim.
      const backfills = startBackfills({ store: opened, logger });
      stops.push(async () => backfills.stop());
      // After the scheduler: triggers act on committed events, off every request's path.
      const triggers = startTriggers({
        store: opened,
        logger,
        cancel: cancelRun,
        outside: { cwd: paths.root, secrets, env: options.env ?? process.env },
      });
      stops.push(() => triggers.stop());
      const fileArrivals = startFileArrivals({ store: opened, logger });
      stops.push(() => fileArrivals.stop());
      const stopPauseTimeouts = startPauseTimeouts(opened, logger);
      stops.push(async () => stopPauseTimeouts());
      if (options.worker !== false) {
        worker = await startPoolWorkers({
          store: opened,
          bundlesDir: paths.bundles,
          logger,
          apiUrl: url,
          token,
          values: (spec) => secrets.forRun(spec),
          workDir: paths.root,
          runsDir: join(paths.data, "runs"),
          concurrency: options.worker?.concurrency,
          graceMs: options.worker?.graceMs,
          staleAfterMs,
          heartbeatMs: Math.min(10_000, Math.max(100, Math.floor(staleAfterMs / 3))),
        });
        const running = worker;
        stops.push((how) => (how.drain ? running.drain() : running.stop({ graceMs: how.graceMs })));
      } else {
        // No embedded worker to reap on its heartbeats: remote workers that go silent still must.
        const periodMs = Math.max(100, Math.floor(staleAfterMs / 3));
        const reap = createReaper(opened, { staleAfterMs, periodMs, logger });
        const reaper = setInterval(() => {
          try {
            reap();
          } catch (error) {
            logger.error("marking silent workers offline failed:", error);
          }
        }, periodMs);
        stops.push(async () => clearInterval(reaper));
      }
    };
    let planner: Scheduler | null = null;
    const loaded = startServices().catch((error) => {
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

/**
 * "is valid again (deployments a, b updated)": what a file that was broken deploys now ("deployed"
 * when the file was never valid and each is new).
 */
function validAgain(report: DeployReport, deployments: string[]): string {
  if (!deployments.length) return "is valid again";
  const changed = deployments.some((n) => !report.unchanged.includes(n));
  const created = deployments.every((n) => report.created.includes(n));
  const which = `${deployments.length === 1 ? "deployment" : "deployments"} ${deployments.join(", ")}`;
  return `is valid again (${which} ${created ? "deployed" : changed ? "updated" : "as deployed"})`;
}

/** Past this many deployments in one pass, the log says how many instead of naming each. */
const MANY = 1000;

/** Log what a deploy pass did: one line per change and per skipped file, every problem of an invalid file. */
function logDeploy(report: DeployReport, logger: Logger, store: Store): void {
  // A large project's first start deploys thousands: past a few, one line says how many; up to
  // that, a pass's lines go out as one message.
  const each = (names: string[], say: (name: string) => string, many: string) => {
    if (names.length <= MANY) logInfoLines(logger, names.map(say));
    else logger.info(`${many} ${names.length.toLocaleString("en-US")} deployments`);
  };
  each(report.created, (name) => `deployed ${name}`, "deployed");
  each(report.updated, (name) => `redeployed ${name}`, "redeployed");
  each(report.removed, (name) => `removed ${name} from scheduling`, "removed from scheduling");
  for (const ended of report.rollbacks_ended) logger.warn(rollbackEndedLine(ended));
  for (const w of report.warnings) logger.warn(`skipped ${renderProblem(w)}`);
  for (const { file, deployments } of report.valid_again)
    logger.info(`${file} ${validAgain(report, deployments)}`);
  // A file that never deployed has no last good version to keep: say what it does mean.
  const held = report.invalid.length
    ? new Set(deploymentSources(store).map((d) => d.source_file))
    : new Set();
  for (const bad of report.invalid) {
    const kept = held.has(bad.file)
      ? "its deployments keep their last good version"
      : "nothing in it is deployed until it is fixed";
    logger.error(
      `${bad.file} is invalid; ${kept}:\n${bad.problems.map((p) => `  ${renderProblem(p)}`).join("\n")}`,
    );
  }
}
