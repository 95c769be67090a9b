import { OrchError, WORK_POOL, WORK_POOL_DETAIL } from "../../core/index.ts";
import { describeWorkPool, listWorkPools, type Store } from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route } from "../router.ts";

/** Routes for work pools: their types, limits, workers and waiting runs, and their templates. */
export function poolRoutes({ store }: { store: Store }): Route[] {
  return [
    {
      method: "GET",
      path: "/api/pools",
      operationId: "listPools",
      summary: "Work pools: type, concurrency, workers online, runs waiting and running",
      response: { description: "Pools by name", schema: { type: "array", items: WORK_POOL } },
      handler: () => json(listWorkPools(store)),
    },
    {
      method: "GET",
      path: "/api/pools/:name",
      operationId: "getPool",
      summary: "One work pool: its job template, queues and the deployments that use it",
      response: { description: "The pool", schema: WORK_POOL_DETAIL },
      handler: (_req, { params: { name } }) => {
        const pool = describeWorkPool(store, name!);
        if (!pool) {
          const known = listWorkPools(store).map((p) => p.name);
          throw new OrchError(
            "E_NOT_FOUND",
            `no work pool ${JSON.stringify(name)}${known.length ? ` (pools: ${known.join(", ")})` : ""}; pools come from work_pools: in flows/*.yaml`,
          );
        }
        return json(pool);
      },
    },
  ];
}
