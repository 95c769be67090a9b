import { TRIGGER_STATE } from "../../core/index.ts";
import { listTriggerStates } from "../../events/index.ts";
import type { Store } from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route } from "../router.ts";

/** GET /api/triggers: every deployment's triggers with their windows, deadlines and firings. */
export function triggerRoutes({ store }: { store: Store }): Route[] {
  return [
    {
      method: "GET",
      path: "/api/triggers",
      operationId: "listTriggers",
      summary:
        "Every trigger with its deployment and state: counts in its window, a proactive trigger's deadline, last fired",
      query: {
        deployment: { type: "string", description: "Only this deployment's triggers" },
      },
      response: {
        description: "Triggers, by deployment",
        schema: { type: "array", items: TRIGGER_STATE },
      },
      handler: (_req, { query }) =>
        json(listTriggerStates(store, query.deployment as string | undefined)),
    },
  ];
}
