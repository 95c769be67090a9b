import { COUNT_RUNS_QUERY, RUN_COUNTS, type RunCounts } from "../../core/index.ts";
import { countRunsByState, type Store } from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route } from "../router.ts";
import { runFilterOf } from "./run-filter.ts";

/** GET /api/runs/counts: how many runs a listing's filter matches, by state (the web UI's tabs). */
export function runCountRoutes({ store }: { store: Store }): Route[] {
  return [
    {
      method: "GET",
      path: "/api/runs/counts",
      operationId: "countRuns",
      summary:
        "How many runs match ?deployment=&tag=&q=&since=&until=&planned=, in all and by state type",
      query: COUNT_RUNS_QUERY,
      response: { description: "The counts", schema: RUN_COUNTS },
      handler: (_req, { query }) => {
        const states = countRunsByState(store, runFilterOf(query, store.clock.now()));
        const total = Object.values(states).reduce((sum, n) => sum + (n ?? 0), 0);
        return json({ total, states } satisfies RunCounts);
      },
    },
  ];
}
