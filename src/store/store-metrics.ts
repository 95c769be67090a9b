import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** What the store holds now, for GET /metrics: counts a scrape reads in a few milliseconds. */
export interface StoreMetrics {
  /** Stored runs by deployment ("" for ad-hoc runs) and state type. */
  runs: { deployment: string; state: string; count: number }[];
  /** Runs due by now that no worker has taken yet, by work pool and queue. */
  queued: { pool: string; queue: string; count: number }[];
  /** Runs named Late. */
  late: number;
  /** Registered workers by pool and status. */
  workers: { pool: string; status: string; count: number }[];
  /** Log lines stored. */
  logLines: number;
  /** The database file's pages in use and free, in bytes. */
  sizeBytes: number;
  freeBytes: number;
}

/** Read the store's counts for metrics at time `now`. */
export function storeMetrics(store: Store, now: number): StoreMetrics {
  const db = sqlite(store);
  const runs = db
    .query(
      `SELECT coalesce(deployment, '') AS deployment, state_type AS state, count(*) AS count
       FROM flow_runs GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    .all() as StoreMetrics["runs"];
  // Every queue, an empty one at 0: an alert on the depth, or a chart of it, sees it empty
  // rather than missing.
  const queued = db
    .query(
      `SELECT pool, queue, sum(n) AS count FROM (
         SELECT pool, name AS queue, 0 AS n FROM work_queues
         UNION ALL
         SELECT work_pool, work_queue, count(*) FROM flow_runs
         WHERE state_type = 'SCHEDULED' AND scheduled_at <= ? GROUP BY 1, 2
       ) GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    .all(now) as StoreMetrics["queued"];
  const late = (
    db
      .query(
        "SELECT count(*) AS n FROM flow_runs WHERE state_type = 'SCHEDULED' AND state_name = 'Late'",
      )
      .get() as { n: number }
  ).n;
  const workers = db
    .query("SELECT pool, status, count(*) AS count FROM workers GROUP BY 1, 2 ORDER BY 1, 2")
    .all() as StoreMetrics["workers"];
  const logLines = (db.query("SELECT count(*) AS n FROM log_lines").get() as { n: number }).n;
  const pages = db.query("PRAGMA page_count").get() as { page_count: number };
  const free = db.query("PRAGMA freelist_count").get() as { freelist_count: number };
  const { page_size } = db.query("PRAGMA page_size").get() as { page_size: number };
  return {
    runs,
    queued,
    late,
    workers,
    logLines,
    sizeBytes: pages.page_count * page_size,
    freeBytes: free.freelist_count * page_size,
  };
}
