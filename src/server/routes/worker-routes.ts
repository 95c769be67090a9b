import { iso, WORKER, type WorkerJson } from "../../core/index.ts";
import { listWorkers, type Store, type WorkerRow } from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route } from "../router.ts";

/** A worker as the API shows it (times in ISO). */
export function workerToJson(row: WorkerRow): WorkerJson {
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
  };
}

/** Routes for workers: the online ones, for the monitor's header. */
export function workerRoutes({ store }: { store: Store }): Route[] {
  return [
    {
      method: "GET",
      path: "/api/workers",
      operationId: "listWorkers",
      summary: "Online workers, newest first",
      response: { description: "Workers, newest first", schema: { type: "array", items: WORKER } },
      handler: () => json(listWorkers(store).map(workerToJson)),
    },
  ];
}
