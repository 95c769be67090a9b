import { iso, type WorkerJson } from "../core/index.ts";
import { recordEvent } from "./events.ts";
import type { Store } from "./open-store.ts";
import type { RunRow } from "./run-row.ts";
import { sqlite } from "./sqlite.ts";
import { ACTIVE } from "./state-sql.ts";

/** A worker as stored: who it is, where it runs, when it last said it was alive. */
export interface WorkerRow {
  id: string;
  name: string;
  pool: string;
  host: string;
  pid: number | null;
  concurrency: number;
  status: "online" | "offline";
  started_at: number;
  last_heartbeat: number;
}

/** A worker as listed: with how many runs it holds now (pending, running or cancelling). */
export type ListedWorker = WorkerRow & { runs: number };

/** A worker as the API shows it (times in ISO). */
export function workerToJson(row: ListedWorker): WorkerJson {
  return {
    id: row.id,
    name: row.name,
    pool: row.pool,
    host: row.host,
    pid: row.pid,
    concurrency: row.concurrency,
    status: row.status,
    started_at: iso(row.started_at),
    last_heartbeat: iso(row.last_heartbeat),
    runs: row.runs,
  };
}

/** Record a worker as online; worker.online tells live views (the monitor's header). */
export function registerWorker(
  store: Store,
  input: Pick<WorkerRow, "id" | "name" | "pool" | "host" | "pid" | "concurrency">,
): WorkerRow {
  const now = store.clock.now();
  return store.tx(() => {
    const row = sqlite(store)
      .query(
        `INSERT INTO workers (id, name, pool, host, pid, concurrency, status, started_at, last_heartbeat)
       VALUES (?, ?, ?, ?, ?, ?, 'online', ?, ?) RETURNING *`,
      )
      .get(
        input.id,
        input.name,
        input.pool,
        input.host,
        input.pid,
        input.concurrency,
        now,
        now,
      ) as WorkerRow;
    recordEvent(store, "worker.online", row.id, { name: row.name, pool: row.pool, host: row.host });
    return row;
  });
}

/** Stamp a worker's heartbeat; false when it is unknown or was marked offline. */
export function heartbeatWorker(store: Store, id: string): boolean {
  const result = sqlite(store)
    .query("UPDATE workers SET last_heartbeat = ? WHERE id = ? AND status = 'online'")
    .run(store.clock.now(), id);
  return result.changes > 0;
}

/**
 * Mark a worker offline (it stopped, or stopped heartbeating); worker.offline tells live views.
 * False when it already was.
 */
export function setWorkerOffline(store: Store, id: string): boolean {
  return store.tx(() => {
    const row = sqlite(store)
      .query("UPDATE workers SET status = 'offline' WHERE id = ? AND status = 'online' RETURNING *")
      .get(id) as WorkerRow | null;
    if (row) recordEvent(store, "worker.offline", row.id, { name: row.name, pool: row.pool });
    return row !== null;
  });
}

/** A worker by id, or null. */
export function getWorker(store: Store, id: string): WorkerRow | null {
  return sqlite(store).query("SELECT * FROM workers WHERE id = ?").get(id) as WorkerRow | null;
}

/** Online workers whose last heartbeat is older than `before`. */
export function listStaleWorkers(store: Store, before: number): WorkerRow[] {
  return sqlite(store)
    .query("SELECT * FROM workers WHERE status = 'online' AND last_heartbeat < ?")
    .all(before) as WorkerRow[];
}

/** Online workers, newest first. */
export function listWorkers(store: Store): ListedWorker[] {
  // Each worker's count reads flow_runs_by_worker (ACTIVE is its WHERE term): the runs it holds.
  return sqlite(store)
    .query(
      `SELECT w.*, (SELECT count(*) FROM flow_runs r WHERE r.worker_id = w.id AND ${ACTIVE}) AS runs
       FROM workers w WHERE w.status = 'online' ORDER BY w.started_at DESC`,
    )
    .all() as ListedWorker[];
}

/** Runs that hold a slot or a process (PENDING, RUNNING, CANCELLING, PAUSED). */
export function listActiveRuns(store: Store, filter: { workerId?: string } = {}): RunRow[] {
  if (filter.workerId !== undefined) {
    return sqlite(store)
      .query(`SELECT * FROM flow_runs WHERE worker_id = ? AND ${ACTIVE} ORDER BY seq`)
      .all(filter.workerId) as RunRow[];
  }
  return sqlite(store)
    .query(`SELECT * FROM flow_runs WHERE ${ACTIVE} ORDER BY seq`)
    .all() as RunRow[];
}

/**
 * What a lost worker leaves behind: its active runs, and the ad-hoc runs awaiting a retry that
 * only it (its `orch flow run`) would take back.
 */
export function listHeldRuns(store: Store, workerId: string): RunRow[] {
  return sqlite(store)
    .query(
      `SELECT * FROM flow_runs WHERE worker_id = ?
       AND (${ACTIVE} OR (state_type = 'SCHEDULED' AND created_by = 'ad-hoc')) ORDER BY seq`,
    )
    .all(workerId) as RunRow[];
}

/**
 * How many runs hold a slot of this worker as the store sees it (in the caller's transaction:
 * runs it claimed there count too).
 */
export function countActiveRuns(store: Store, workerId: string): number {
  return (
    sqlite(store)
      .query(`SELECT count(*) AS n FROM flow_runs WHERE worker_id = ? AND ${ACTIVE}`)
      .get(workerId) as { n: number }
  ).n;
}
