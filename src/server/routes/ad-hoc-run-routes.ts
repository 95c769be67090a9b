import { AD_HOC_RUN_REQUEST, type AdHocRunRequest, OrchError, RUN } from "../../core/index.ts";
import { createRun, getWorker, runToJson, type Store, transitionRun } from "../../store/index.ts";
import { AD_HOC_POOL } from "../../worker/index.ts";
import { json } from "../http.ts";
import type { Route, RouteContext } from "../router.ts";

/** The route that creates an ad-hoc run (no deployment), held by the worker that runs it. */
export function adHocRunRoutes({ store }: { store: Store }): Route[] {
  return [
    {
      method: "POST",
      path: "/api/runs",
      summary:
        "Create an ad-hoc run (no deployment) held by the worker that runs it: {flow, export, name, parameters, tags, worker_id}",
      operationId: "createAdHocRun",
      body: AD_HOC_RUN_REQUEST,
      response: {
        status: 201,
        description: "The new run, PENDING for that worker",
        schema: RUN,
      },
      handler: (_req, { body }: RouteContext<AdHocRunRequest>) => {
        const run = store.tx(() => {
          const worker = getWorker(store, body.worker_id);
          if (worker?.status !== "online") {
            throw new OrchError(
              "E_BAD_INPUT",
              `worker ${body.worker_id} is ${worker ? "offline" : "not registered"}; an ad-hoc run is created for the online worker that runs it (POST /api/workers)`,
            );
          }
          // Workers of other pools claim deployments' runs and would hold this one forever.
          if (worker.pool !== AD_HOC_POOL) {
            throw new OrchError(
              "E_BAD_INPUT",
              `worker ${worker.name} (${worker.id}) takes runs of pool ${worker.pool} and cannot run an ad-hoc flow; register the worker that runs it in pool ${AD_HOC_POOL} (POST /api/workers), as orch flow run does`,
            );
          }
          const entry = `${body.flow}${body.export && body.export !== "default" ? `:${body.export}` : ""}`;
          const created = createRun(store, {
            parameters: body.parameters ?? {},
            tags: body.tags ?? [],
            workPool: worker.pool,
            createdBy: "ad-hoc",
            message: `ad hoc run of ${body.name ? `flow ${body.name} (${entry})` : entry}`,
          });
          // Straight to PENDING for its worker, in the same transaction: no other worker can claim it.
          return transitionRun(
            store,
            created.id,
            { type: "PENDING", message: `held by ${worker.name} on ${worker.host}` },
            { workerId: worker.id },
          ).run;
        });
        return json(runToJson(run), 201);
      },
    },
  ];
}
