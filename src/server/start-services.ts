import { join } from "node:path";
import type { Pacer, ProjectPaths } from "../core/index.ts";
import type { Deployer, DeployReport } from "../definitions/index.ts";
import { startFileArrivals, startTriggers, type TriggerEngine } from "../events/index.ts";
import { type Scheduler, startBackfills } from "../scheduler/index.ts";
import type { Secrets } from "../secrets/index.ts";
import { lastEventId, type Store } from "../store/index.ts";
import {
  cancelRun,
  createReaper,
  type EmbeddedWorker,
  startPauseTimeouts,
  startPoolWorkers,
} from "../worker/index.ts";
import { loadProject } from "./load-project.ts";
import type { Logger, ServerOptions, ServerStopOptions } from "./server-options.ts";

/** The load was cut short because the server stops. */
export class Stopped extends Error {}

/** A pacer whose rest throws Stopped once the server stops, so a long pass ends at its next slice. */
export function stoppable(pacer: Pacer, stopping: () => boolean): Pacer {
  return {
    over: pacer.over,
    async rest() {
      await pacer.rest();
      if (stopping()) throw new Stopped();
    },
  };
}

/** What the services a loaded project runs are started with, and where they report back. */
export interface ServicesContext {
  store: Store;
  deployer: Deployer;
  logger: Logger;
  pacer: Pacer;
  paths: ProjectPaths;
  options: ServerOptions;
  secrets: Secrets;
  url: string;
  token: string;
  staleAfterMs: number;
  onReport: (report: DeployReport) => void;
  /** Each service's stop, pushed as it starts (stopped in reverse). */
  stops: ((how: ServerStopOptions) => Promise<void>)[];
  stopping: () => boolean;
  onScheduler: (scheduler: Scheduler) => void;
  onWorker: (worker: EmbeddedWorker) => void;
  /** The trigger engine started (a webhook has it take its event at once). */
  onTriggers: (engine: TriggerEngine) => void;
}

/**
 * Load the project (deploy and plan its definitions), then start what runs on it: backfills,
 * triggers, file arrivals, pause timeouts and the embedded workers (or a reaper without them).
 */
export async function startServices(ctx: ServicesContext): Promise<void> {
  const { store: opened, deployer, logger, pacer, paths, options, secrets, url, token } = ctx;
  const { staleAfterMs, stops } = ctx;
  // Triggers that never ran here start with this start's events: its load's project.loaded.
  const eventsBefore = lastEventId(opened);
  // Before the worker: runs missed while orch was down are caught up before any is claimed.
  const scheduler = await loadProject({
    store: opened,
    deployer,
    logger,
    pacer,
    onReport: ctx.onReport,
    sleepCheckMs: 2000,
    quietMs: options.progressAfterMs,
    stopped: ctx.stopping,
  });
  stops.push(async () => scheduler.stop());
  ctx.onScheduler(scheduler);
  if (ctx.stopping()) return;
  // Backfills go on where they were; their runs wait behind the schedules' in the claim.
  const backfills = startBackfills({ store: opened, logger });
  stops.push(async () => backfills.stop());
  // After the scheduler: triggers act on committed events, off every request's path.
  const triggers = startTriggers({
    store: opened,
    logger,
    cancel: cancelRun,
    outside: { cwd: paths.root, secrets, env: options.env ?? process.env },
    firstAfter: eventsBefore,
  });
  stops.push(() => triggers.stop());
  ctx.onTriggers(triggers);
  const fileArrivals = startFileArrivals({ store: opened, logger });
  stops.push(() => fileArrivals.stop());
  const stopPauseTimeouts = startPauseTimeouts(opened, logger);
  stops.push(async () => stopPauseTimeouts());
  if (options.worker !== false) {
    const running = await startPoolWorkers({
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
      runningWindowMs: options.worker?.runningWindowMs,
      staleAfterMs,
      heartbeatMs: Math.min(10_000, Math.max(100, Math.floor(staleAfterMs / 3))),
    });
    ctx.onWorker(running);
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
}
