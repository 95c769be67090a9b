import {
  ACKNOWLEDGE_REQUEST,
  type AcknowledgeRequest,
  PROBLEMS,
  type ProblemsJson,
} from "../../core/index.ts";
import {
  acknowledgeNotices,
  listFileProblems,
  listNotices,
  type Store,
} from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route, RouteContext } from "../router.ts";

/** Routes for what needs a look: invalid definition files and start-up notices. */
export function problemRoutes({ store }: { store: Store }): Route[] {
  const problems = (): ProblemsJson => ({
    files: listFileProblems(store),
    notices: listNotices(store),
  });
  return [
    {
      method: "GET",
      path: "/api/problems",
      operationId: "listProblems",
      summary:
        "Every definition file that is invalid now (with all its problems), and what start-up found that was not acknowledged",
      response: { description: "Files and notices", schema: PROBLEMS },
      handler: () => json(problems()),
    },
    {
      method: "POST",
      path: "/api/problems/acknowledge",
      operationId: "acknowledgeProblems",
      summary: "Acknowledge the start-up notices up to an id (all when none is given)",
      body: ACKNOWLEDGE_REQUEST,
      response: { description: "What is left", schema: PROBLEMS },
      handler: (_req, { body }: RouteContext<AcknowledgeRequest>) => {
        acknowledgeNotices(store, body.up_to);
        return json(problems());
      },
    },
  ];
}
