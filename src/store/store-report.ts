import type { Store } from "./open-store.ts";
import { type PruneCounts, pruneRuns } from "./prune-runs.ts";
import { retentionPlan } from "./retention.ts";
import { type ProjectRetention, projectRetention } from "./settings.ts";
import { sqlite } from "./sqlite.ts";

/** What `orch doctor` tells about a store. */
export interface StoreReport {
  size_bytes: number;
  /** Free pages inside the file (an incremental vacuum gives them back). */
  free_bytes: number;
  runs: number;
  log_lines: number;
  events: number;
  /** Deployments holding the most log text, largest first (null: ad-hoc runs). */
  largest: { deployment: string | null; runs: number; log_lines: number; log_bytes: number }[];
  /** The project's retention, and the deployments with their own. */
  retention: { project: ProjectRetention | null; deployments: string[] };
  /** What retention would delete now. */
  would_free: PruneCounts;
  /** SQLite's quick check: "ok", or what it found. */
  quick_check: string[];
}

/**
 * Read a store for a report: sizes, the deployments with the most logs, what retention would
 * delete now, and a quick integrity check. It reads every log line's length: run it on a
 * connection of its own (orch doctor opens the file read-only), not on a server's.
 */
export async function storeReport(store: Store, now: number, top = 5): Promise<StoreReport> {
  const db = sqlite(store);
  const pragma = (name: string) =>
    Object.values(db.query(`PRAGMA ${name}`).get() as Record<string, number>)[0]!;
  const count = (table: string) =>
    (db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const largest = db
    .query(
      `SELECT r.deployment, count(DISTINCT r.seq) AS runs, sum(l.lines) AS log_lines,
              sum(l.bytes) AS log_bytes
       FROM (SELECT run_seq, count(*) AS lines, sum(length(line)) AS bytes FROM log_lines
             GROUP BY run_seq) l
       JOIN flow_runs r ON r.seq = l.run_seq
       GROUP BY r.deployment ORDER BY log_bytes DESC LIMIT ?`,
    )
    .all(top) as StoreReport["largest"];
  const own = (
    db.query("SELECT name, spec FROM deployments WHERE removed_at IS NULL").all() as {
      name: string;
      spec: string;
    }[]
  )
    .filter((d) => JSON.parse(d.spec).retention)
    .map((d) => d.name);
  return {
    size_bytes: pragma("page_count") * pragma("page_size"),
    free_bytes: pragma("freelist_count") * pragma("page_size"),
    runs: count("flow_runs"),
    log_lines: count("log_lines"),
    events: count("events"),
    largest,
    retention: { project: projectRetention(store), deployments: own },
    would_free: await pruneRuns(store, retentionPlan(store, now), { dryRun: true }),
    quick_check: (db.query("PRAGMA quick_check").all() as { quick_check: string }[]).map(
      (r) => r.quick_check,
    ),
  };
}
