import { type DeploymentSpec, iso, WAKE_TIMES, WAKE_TIMES_QUERY } from "../../core/index.ts";
import { upcomingRuns } from "../../scheduler/index.ts";
import { getDeploymentOrThrow, type Store } from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route } from "../router.ts";

/** GET /api/deployments/:name/wake-times: when the OS should wake the machine for a deployment. */
export function wakeRoutes({ store }: { store: Store }): Route[] {
  return [
    {
      method: "GET",
      path: "/api/deployments/:name/wake-times",
      operationId: "getWakeTimes",
      summary: "The next times of a deployment's schedules with wake: true (for orch wake-unit)",
      query: WAKE_TIMES_QUERY,
      response: { description: "The times, soonest first", schema: WAKE_TIMES },
      handler: (_req, { params: { name }, query }) => {
        const row = getDeploymentOrThrow(store, name!);
        const spec = JSON.parse(row.spec) as DeploymentSpec;
        const count = (query.count as number | undefined) ?? 20;
        const times = row.paused
          ? []
          : upcomingRuns(spec, count, store.clock.now(), (s) => s.wake === true);
        return json({ deployment: row.name, times: times.map((t) => iso(t)!) });
      },
    },
  ];
}
