import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ProjectPaths } from "../core/index.ts";
import {
  bundleUse,
  keptValueFiles,
  type PruneCounts,
  planIsEmpty,
  pruneRuns,
  RESULTS_FOLDER,
  retentionPlan,
  type Store,
  vacuumFreePages,
} from "../store/index.ts";
import type { Logger } from "./start-server.ts";

/** What one retention pass did. */
export interface RetentionPass extends PruneCounts {
  /** Bytes the database file gave back to the file system. */
  vacuumed_bytes: number;
  /** Bundle trees removed (their versions are neither current nor run by a stored run). */
  trees: number;
  /** Result files removed (no stored run, task run or cache entry names them any more). */
  result_files: number;
}

export interface RetentionOptions {
  store: Store;
  paths: ProjectPaths;
  logger: Logger;
  /** Time between passes. Default: an hour. */
  intervalMs?: number;
  /** Time before the first pass (orch starts first). Default: a minute; null: only runNow. */
  firstDelayMs?: number | null;
}

/** The running retention service. */
export interface Retention {
  /** Run a pass now (after the one under way, if any). */
  runNow(): Promise<RetentionPass>;
  /** Stop: the pass under way ends at its next slice. */
  stop(): Promise<void>;
}

class Stopped extends Error {}

/**
 * Apply retention on a timer: delete what the project's and deployments' `retention:` no
 * longer keep, in slices that yield to the API and the worker between them (see pruneRuns),
 * give the freed pages back to the file system, and remove bundle trees no run needs.
 */
export function startRetention(options: RetentionOptions): Retention {
  const { store, paths, logger } = options;
  const intervalMs = options.intervalMs ?? 60 * 60_000;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: Promise<RetentionPass> = Promise.resolve(empty());
  // Between slices the server gets as long as the slice took (2-20 ms): a request needs
  // several turns of the event loop, and one turn between slices would leave it a slice per turn.
  let sliceStarted = performance.now();
  const pause = () =>
    new Promise<void>((resolve, reject) => {
      const worked = performance.now() - sliceStarted;
      setTimeout(
        () => {
          if (stopped) return reject(new Stopped());
          sliceStarted = performance.now();
          resolve();
        },
        Math.min(20, Math.max(2, worked)),
      );
    });

  const pass = async (): Promise<RetentionPass> => {
    sliceStarted = performance.now();
    const plan = retentionPlan(store, store.clock.now());
    const result = empty();
    if (!planIsEmpty(plan)) Object.assign(result, await pruneRuns(store, plan, { pause }));
    if (result.runs || result.log_lines || result.events) {
      result.vacuumed_bytes = await vacuumFreePages(store, pause);
    }
    result.trees = removeUnusedTrees(store, paths);
    result.result_files = removeUnusedResultFiles(store, paths, store.clock.now());
    if (result.runs || result.log_lines || result.events || result.trees || result.result_files) {
      logger.info(
        `retention: deleted ${result.runs} runs, ${result.log_lines} log lines and ${result.events} events; ` +
          `the store gave back ${Math.round(result.vacuumed_bytes / 1024)} KiB; ${result.trees} unused bundle trees and ${result.result_files} unused result files removed`,
      );
    }
    return result;
  };
  const runNow = () => {
    current = current.then(pass, pass).catch((error) => {
      if (!(error instanceof Stopped))
        logger.error("retention failed (it runs again later):", error);
      return empty();
    });
    return current;
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => void runNow().finally(() => schedule(intervalMs)), ms);
  };
  if (options.firstDelayMs !== null) schedule(options.firstDelayMs ?? 60_000);
  return {
    runNow,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}

function empty(): RetentionPass {
  return {
    runs: 0,
    log_lines: 0,
    log_bytes: 0,
    events: 0,
    vacuumed_bytes: 0,
    trees: 0,
    result_files: 0,
  };
}

/** Remove the trees of bundles only versions nobody needs hold (objects stay: a tree can be rebuilt). */
function removeUnusedTrees(store: Store, paths: ProjectPaths): number {
  const dir = join(paths.bundles, "trees");
  if (!existsSync(dir)) return 0;
  const { unused } = bundleUse(store);
  let removed = 0;
  for (const name of readdirSync(dir)) {
    if (!unused.has(name) || !statSync(join(dir, name)).isDirectory()) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/**
 * How old an unnamed result file must be before it goes. Why a wait: a value's file is written
 * before the row that names it, so a file seen unnamed may be one whose row is on its way.
 */
const RESULT_FILE_GRACE_MS = 60 * 60_000;

/** Remove result files that no stored value names any more (their runs and entries are gone). */
function removeUnusedResultFiles(store: Store, paths: ProjectPaths, now: number): number {
  const dir = join(paths.data, RESULTS_FOLDER);
  if (!existsSync(dir)) return 0;
  const kept = keptValueFiles(store);
  let removed = 0;
  for (const name of readdirSync(dir)) {
    if (kept.has(`${RESULTS_FOLDER}/${name}`)) continue;
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat?.isFile() || now - stat.mtimeMs < RESULT_FILE_GRACE_MS) continue;
    rmSync(path, { force: true });
    removed++;
  }
  return removed;
}
