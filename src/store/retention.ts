import type { RetentionKeep, RetentionSpec } from "../core/index.ts";
import { deploymentSpec } from "./deployments.ts";
import type { Store } from "./open-store.ts";
import type { PrunePlan, PruneRule } from "./prune-runs.ts";
import { projectRetention } from "./settings.ts";
import { sqlite } from "./sqlite.ts";
import { TERMINAL } from "./state-sql.ts";

/**
 * The prune that retention asks for at `now`: for each deployment with runs (and the ad-hoc
 * runs), its own `retention:` or else the project's, turned into times; events by the
 * project's. A duration keeps what ended within it; a count keeps the newest so many finished
 * runs of each deployment (runs that ended in the same millisecond as the last one kept stay too).
 */
export function retentionPlan(store: Store, now: number): PrunePlan {
  const db = sqlite(store);
  const project = projectRetention(store)?.spec ?? {};
  const own = new Map<string, RetentionSpec>();
  for (const row of db.query("SELECT name, spec FROM deployments").all() as {
    name: string;
    spec: string;
  }[]) {
    const retention = deploymentSpec(row).retention;
    if (retention) own.set(row.name, retention);
  }
  const rules: PruneRule[] = [];
  const groups = db.query("SELECT DISTINCT deployment FROM flow_runs").all() as {
    deployment: string | null;
  }[];
  for (const { deployment } of groups) {
    const spec = (deployment !== null ? own.get(deployment) : undefined) ?? {};
    const runs = spec.runs ?? project.runs;
    const logs = spec.logs ?? project.logs;
    const rule: PruneRule = { deployment };
    if (runs) rule.runsBefore = cutoff(store, deployment, runs, now);
    if (logs) rule.logsBefore = cutoff(store, deployment, logs, now);
    if (rule.runsBefore !== undefined || rule.logsBefore !== undefined) rules.push(rule);
  }
  const plan: PrunePlan = { rules };
  const events = project.events;
  if (events && "max_age_ms" in events) plan.eventsBefore = now - events.max_age_ms;
  if (events && "count" in events) {
    const row = db
      .query("SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?")
      .get(events.count - 1) as { id: number } | null;
    if (row) plan.eventsBelowId = row.id;
  }
  return plan;
}

/** The end time before which a deployment's finished runs fall outside `keep` (undefined: none do). */
function cutoff(
  store: Store,
  deployment: string | null,
  keep: RetentionKeep,
  now: number,
): number | undefined {
  if ("max_age_ms" in keep) return now - keep.max_age_ms;
  const row = sqlite(store)
    .query(
      `SELECT ended_at FROM flow_runs WHERE ${TERMINAL} AND ended_at IS NOT NULL AND deployment IS ?
       ORDER BY ended_at DESC LIMIT 1 OFFSET ?`,
    )
    .get(deployment, keep.count - 1) as { ended_at: number } | null;
  return row?.ended_at;
}

/** Whether a plan deletes anything at all. */
export function planIsEmpty(plan: PrunePlan): boolean {
  return !plan.rules.length && plan.eventsBefore === undefined && plan.eventsBelowId === undefined;
}

/**
 * Give the free pages of the database file back to the file system, a slice of pages at a
 * time with a pause between (each slice is a short write transaction, like a prune's). The file
 * shrinks once the write-ahead log is checkpointed. Returns the bytes given back.
 */
export async function vacuumFreePages(
  store: Store,
  pause: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve)),
  pagesPerSlice = 128,
): Promise<number> {
  const db = sqlite(store);
  const { auto_vacuum } = db.query("PRAGMA auto_vacuum").get() as { auto_vacuum: number };
  if (auto_vacuum !== 2) return 0;
  const { page_size } = db.query("PRAGMA page_size").get() as { page_size: number };
  let freed = 0;
  for (;;) {
    const { freelist_count } = db.query("PRAGMA freelist_count").get() as {
      freelist_count: number;
    };
    if (!freelist_count) break;
    const n = Math.min(freelist_count, pagesPerSlice);
    // Each row it returns is one page freed: step through them all.
    db.query(`PRAGMA incremental_vacuum(${n})`).all();
    freed += n * page_size;
    await pause();
  }
  // A complete checkpoint truncates the file to its pages in use.
  if (freed) db.run("PRAGMA wal_checkpoint(PASSIVE)");
  return freed;
}

/**
 * Bundle hashes some version of a deployment holds, split by whether they are still needed: a
 * deployment's current version, or the version of a run still in the store. Trees of the others
 * can go (a tree is rebuilt from the bundle's objects if it is ever needed again).
 */
export function bundleUse(store: Store): { used: Set<string>; unused: Set<string> } {
  const db = sqlite(store);
  const used = new Set(
    (
      db
        .query(
          `SELECT v.bundle FROM deployment_versions v JOIN deployments d
             ON d.id = v.deployment_id AND d.version = v.version WHERE v.bundle IS NOT NULL
           UNION
           SELECT v.bundle FROM (SELECT DISTINCT deployment_id, version FROM flow_runs
             WHERE deployment_id IS NOT NULL) r
           JOIN deployment_versions v ON v.deployment_id = r.deployment_id AND v.version = r.version
           WHERE v.bundle IS NOT NULL`,
        )
        .all() as { bundle: string }[]
    ).map((r) => r.bundle),
  );
  const unused = new Set<string>();
  for (const { bundle } of db
    .query("SELECT DISTINCT bundle FROM deployment_versions WHERE bundle IS NOT NULL")
    .all() as { bundle: string }[]) {
    if (!used.has(bundle)) unused.add(bundle);
  }
  return { used, unused };
}

/**
 * The result files (under the data dir's results/ folder) some stored value still names: a
 * run's result, a task run's result or a cache entry. Files are shared by content, so one file
 * may be named by many.
 */
export function keptValueFiles(store: Store): Set<string> {
  const rows = sqlite(store)
    .query(
      `SELECT json_extract(result, '$.file') AS file FROM flow_runs WHERE result LIKE '%"file"%'
       UNION SELECT json_extract(result, '$.file') FROM task_runs WHERE result LIKE '%"file"%'
       UNION SELECT json_extract(value, '$.file') FROM cache_entries WHERE value LIKE '%"file"%'`,
    )
    .all() as { file: string | null }[];
  return new Set(rows.flatMap((r) => (r.file ? [r.file] : [])));
}
