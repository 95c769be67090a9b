import type { PoolType, WorkPoolDetailJson, WorkPoolJson } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";
import { ACTIVE } from "./state-sql.ts";

/** A pool's type and job template as stored (a pool no definition declares is a process pool). */
export interface WorkPoolRow {
  name: string;
  /** Null: no definition declares it (a worker or a deployment made it). */
  type: PoolType | null;
  job: Record<string, unknown> | null;
  concurrency_limit: number | null;
  paused: number;
}

interface RawPool extends Omit<WorkPoolRow, "job"> {
  job: string | null;
}

const parse = (row: RawPool): WorkPoolRow => ({
  ...row,
  job: row.job ? (JSON.parse(row.job) as Record<string, unknown>) : null,
});

/** One pool's type and template, or null when no pool has that name. */
export function getWorkPool(store: Store, name: string): WorkPoolRow | null {
  const row = sqlite(store)
    .query("SELECT name, type, job, concurrency_limit, paused FROM work_pools WHERE name = ?")
    .get(name) as RawPool | null;
  return row ? parse(row) : null;
}

/** Pools a definition file declares (a type is set): the ones `orch up` serves itself. */
export function listDefinedPools(store: Store): WorkPoolRow[] {
  return (
    sqlite(store)
      .query(
        "SELECT name, type, job, concurrency_limit, paused FROM work_pools WHERE type IS NOT NULL ORDER BY name",
      )
      .all() as RawPool[]
  ).map(parse);
}

/**
 * Every pool with what `orch pools ls` shows: workers online, runs due and not yet taken, runs
 * holding a slot. One query per count, grouped by pool.
 */
export function listWorkPools(store: Store): WorkPoolJson[] {
  const db = sqlite(store);
  const now = store.clock.now();
  const pools = db
    .query("SELECT name, type, job, concurrency_limit, paused FROM work_pools ORDER BY name")
    .all() as RawPool[];
  const counts = (sql: string, ...args: number[]) =>
    new Map(
      (db.query(sql).all(...args) as { pool: string; n: number }[]).map((r) => [r.pool, r.n]),
    );
  const workers = counts(
    "SELECT pool, count(*) AS n FROM workers WHERE status = 'online' GROUP BY pool",
  );
  const waiting = counts(
    "SELECT work_pool AS pool, count(*) AS n FROM flow_runs WHERE state_type = 'SCHEDULED' AND scheduled_at <= ? GROUP BY work_pool",
    now,
  );
  const running = counts(
    `SELECT work_pool AS pool, count(*) AS n FROM flow_runs WHERE ${ACTIVE} GROUP BY work_pool`,
  );
  return pools.map((raw) => {
    const row = parse(raw);
    return {
      name: row.name,
      type: row.type ?? "process",
      defined: row.type !== null,
      concurrency: row.concurrency_limit,
      paused: row.paused !== 0,
      workers: workers.get(row.name) ?? 0,
      runs_waiting: waiting.get(row.name) ?? 0,
      runs_running: running.get(row.name) ?? 0,
      job: row.job,
    };
  });
}

/** One pool with its queues and the deployments (not removed) whose latest version uses it. */
export function describeWorkPool(store: Store, name: string): WorkPoolDetailJson | null {
  const pool = listWorkPools(store).find((p) => p.name === name);
  if (!pool) return null;
  const db = sqlite(store);
  const queues = db
    .query(
      "SELECT name, priority, concurrency_limit AS concurrency FROM work_queues WHERE pool = ? ORDER BY priority, name",
    )
    .all(name) as WorkPoolDetailJson["queues"];
  const deployments = (
    db
      .query(
        "SELECT name, spec FROM deployments WHERE removed_at IS NULL AND json_extract(spec, '$.work_pool') = ? ORDER BY name",
      )
      .all(name) as { name: string; spec: string }[]
  ).map((d) => ({
    name: d.name,
    job_variables:
      (JSON.parse(d.spec) as { job_variables?: Record<string, unknown> }).job_variables ?? {},
  }));
  return { ...pool, queues, deployments };
}
