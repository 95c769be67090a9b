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

/** Pools whose definition asks `orch up` to run their jobs itself (`embedded_worker: true`). */
export function listEmbeddedPools(store: Store): WorkPoolRow[] {
  return (
    sqlite(store)
      .query(
        "SELECT name, type, job, concurrency_limit, paused FROM work_pools WHERE embedded = 1 ORDER BY name",
      )
      .all() as RawPool[]
  ).map(parse);
}

/**
 * Every pool with what `orch pools ls` shows: workers online, runs due and not yet taken, runs
 * holding a slot, deployments using it. One query per count, grouped by pool. Why pools without
 * a row are listed: a worker or a deployment may name a pool no definition declares (it exists
 * as soon as something waits there or serves it); and why undeclared pools nothing uses are not:
 * they are what is left of a declaration that was removed.
 */
export function listWorkPools(store: Store): WorkPoolJson[] {
  const db = sqlite(store);
  const now = store.clock.now();
  const rows = new Map(
    (
      db
        .query("SELECT name, type, job, concurrency_limit, paused FROM work_pools ORDER BY name")
        .all() as RawPool[]
    ).map((raw) => [raw.name, parse(raw)]),
  );
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
  const deployed = counts(
    "SELECT json_extract(spec, '$.work_pool') AS pool, count(*) AS n FROM deployments WHERE removed_at IS NULL GROUP BY pool",
  );
  const names = new Set([...rows.keys(), ...workers.keys(), ...deployed.keys(), ...waiting.keys()]);
  names.delete(null as unknown as string);
  const pools: WorkPoolJson[] = [];
  for (const name of [...names].sort()) {
    const row = rows.get(name) ?? null;
    const used = (workers.get(name) ?? 0) + (waiting.get(name) ?? 0) + (running.get(name) ?? 0);
    const defined = row?.type != null;
    if (!defined && name !== "default" && used + (deployed.get(name) ?? 0) === 0) continue;
    pools.push({
      name,
      type: row?.type ?? "process",
      defined,
      concurrency: row?.concurrency_limit ?? null,
      paused: (row?.paused ?? 0) !== 0,
      workers: workers.get(name) ?? 0,
      runs_waiting: waiting.get(name) ?? 0,
      runs_running: running.get(name) ?? 0,
      job: row?.job ?? null,
    });
  }
  return pools;
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
