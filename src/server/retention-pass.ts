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

/** What one retention pass did. */
export interface RetentionPass extends PruneCounts {
  /** Bytes the database file gave back to the file system. */
  vacuumed_bytes: number;
  /** Bundle trees removed (their versions are neither current nor run by a stored run). */
  trees: number;
  /** Result files removed (no stored run, task run or cache entry names them any more). */
  result_files: number;
}

/** A pass that did nothing. */
export function emptyPass(): RetentionPass {
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

/**
 * One retention pass over `store` at `now`: delete what the project's and deployments'
 * `retention:` no longer keep, in slices with `pause` between them (see pruneRuns), give the
 * freed pages back to the file system, and remove bundle trees and result files nobody needs.
 */
export async function runRetentionPass(
  store: Store,
  paths: ProjectPaths,
  now: number,
  pause: () => Promise<void>,
): Promise<RetentionPass> {
  const plan = retentionPlan(store, now);
  const result = emptyPass();
  if (!planIsEmpty(plan)) Object.assign(result, await pruneRuns(store, plan, { pause }));
  if (result.runs || result.log_lines || result.events) {
    result.vacuumed_bytes = await vacuumFreePages(store, pause);
  }
  result.trees = removeUnusedTrees(store, paths);
  result.result_files = removeUnusedResultFiles(store, paths, now);
  return result;
}

/** What a pass did, in one line for the log (null when it did nothing). */
export function describePass(result: RetentionPass): string | null {
  if (!(result.runs || result.log_lines || result.events || result.trees || result.result_files))
    return null;
  return (
    `retention: deleted ${result.runs} runs, ${result.log_lines} log lines and ${result.events} events; ` +
    `the store gave back ${Math.round(result.vacuumed_bytes / 1024)} KiB; ${result.trees} unused bundle trees and ${result.result_files} unused result files removed`
  );
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
