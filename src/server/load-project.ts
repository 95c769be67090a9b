import { type DeployReport, formatDuration, type Pacer } from "../core/index.ts";
import type { Deployer, DeployProgress } from "../definitions/index.ts";
import { type Scheduler, startScheduler } from "../scheduler/index.ts";
import { recordEvent, type Store } from "../store/index.ts";
import type { Logger } from "./server-options.ts";

/** How far loading a project is, as its `project.loading` events and log lines say. */
export interface LoadProgress {
  phase: DeployProgress["phase"] | "planning";
  done: number;
  total: number;
}

/** Progress is told at most this often (an event and a log line each time). */
const PROGRESS_MS = 500;

/** A load this short says nothing of its progress (a small project loads in a blink). */
export const QUIET_MS = 1000;

export interface LoadProjectOptions {
  store: Store;
  deployer: Deployer;
  logger: Logger;
  pacer: Pacer;
  /** Logs what the deploy pass did. */
  onReport(report: DeployReport): void;
  /** Whether the server stops (nothing is recorded then). */
  stopped?: () => boolean;
  /** Progress is told once the load has taken this long (default QUIET_MS). */
  quietMs?: number;
  /** A timer for the sleep check of the scheduler (see SchedulerOptions.sleepCheckMs). */
  sleepCheckMs?: number;
}

/**
 * Load a project in the background of a running server: deploy every definition file, then
 * plan every schedule, in slices (the pacer's) so the API answers all along. Progress goes to the
 * log and, as `project.loading` events, to live views (the monitor); `project.loaded` ends it.
 * Resolves with the scheduler once every schedule's missed runs are caught up and its next run
 * planned (the caller starts the worker then, so no missed run is claimed before its catch-up
 * policy applied); the rest of each horizon is planned behind, then `project.planned` says so.
 */
export async function loadProject(options: LoadProjectOptions): Promise<Scheduler> {
  const { store, logger } = options;
  const started = performance.now();
  const quietMs = options.quietMs ?? QUIET_MS;
  let toldAt = started;
  let lastPhase = "";
  const tell = (progress: LoadProgress) => {
    const now = performance.now();
    if (now - started < quietMs) return;
    if (progress.phase === lastPhase && now - toldAt < PROGRESS_MS) return;
    toldAt = now;
    lastPhase = progress.phase;
    recordEvent(store, "project.loading", null, { ...progress });
    logger.info(
      `loading the project: ${progress.phase} ${progress.done.toLocaleString("en-US")} of ${progress.total.toLocaleString("en-US")} ${progress.phase === "reading" ? "definition files" : "deployments"}`,
    );
  };
  const report = await options.deployer.deployAllPaced({ pacer: options.pacer, onProgress: tell });
  options.onReport(report);
  // A rest between the deploy's last slice and the scheduler's start (it reads every
  // deployment's name, then plans its first batch): together they held the thread past a slice.
  await options.pacer.rest();
  const scheduler = startScheduler({
    store,
    logger,
    pacer: options.pacer,
    ...(options.sleepCheckMs ? { sleepCheckMs: options.sleepCheckMs } : {}),
  });
  // What waits to be planned now: the count goes from none of those to all of them.
  const total = scheduler.waiting();
  const planning = () => tell({ phase: "planning", done: total - scheduler.waiting(), total });
  planning();
  const progress = setInterval(planning, PROGRESS_MS);
  try {
    await scheduler.nextPlanned();
  } finally {
    clearInterval(progress);
  }
  const ms = performance.now() - started;
  const deployments = report.created.length + report.updated.length + report.unchanged.length;
  recordEvent(store, "project.loaded", null, { deployments, ms: Math.round(ms) });
  // The rest of each schedule's horizon is planned behind, as the worker runs.
  void scheduler.idle().then(() => {
    if (options.stopped?.()) return;
    try {
      recordEvent(store, "project.planned", null, {
        deployments,
        ms: Math.round(performance.now() - started),
      });
    } catch (error) {
      logger.error("recording that the project is planned failed:", error);
    }
  });
  if (ms >= quietMs) {
    logger.info(
      `loaded the project: ${deployments.toLocaleString("en-US")} deployments deployed, their next runs planned in ${formatDuration(Math.round(ms))}`,
    );
  }
  return scheduler;
}
