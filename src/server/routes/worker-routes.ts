import { WORKER } from "../../core/index.ts";
import { listWorkers, type Store, workerToJson } from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route } from "../router.ts";

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
