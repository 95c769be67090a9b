import {
  PAUSE_ANSWER,
  PAUSE_REQUEST,
  type PauseRequest,
  RESUME_REQUEST,
  type ResumeRequest,
  RUN,
  SUBFLOW_REQUEST,
  SUBFLOW_STATE,
  type SubflowRequest,
  type SubflowState,
} from "../../core/index.ts";
import { runToJson, type Store } from "../../store/index.ts";
import { createSubflowRun, pauseRun, reportSubflowState, resumeRun } from "../../worker/index.ts";
import { json } from "../http.ts";
import type { Route, RouteContext } from "../router.ts";

/**
 * Routes for what a flow's process asks while it runs (a subflow's run and its states, a
 * pause), and a user's resume of a paused run. `settle` writes what the server's worker holds
 * back of the run (its RUNNING, held for its end): the process asking is proof it runs.
 */
export function flowRunRoutes({
  store,
  settle,
}: {
  store: Store;
  settle?: (runId: string) => void;
}): Route[] {
  return [
    {
      method: "POST",
      path: "/api/runs/:id/subflows",
      operationId: "createSubflowRun",
      summary:
        "A running flow called a flow: its subflow's run, RUNNING in the caller's process: {name, parameters, tags}",
      body: SUBFLOW_REQUEST,
      response: {
        status: 201,
        description: "The subflow's run (parent_id: this run)",
        schema: RUN,
      },
      handler: (_req, { params: { id }, body }: RouteContext<SubflowRequest>) => {
        settle?.(id!);
        return json(runToJson(createSubflowRun(store, id!, body)), 201);
      },
    },
    {
      method: "POST",
      path: "/api/runs/:id/subflows/:child/state",
      operationId: "reportSubflowState",
      summary: "How a subflow's run ended, or that it retries: {state, name, message}",
      body: SUBFLOW_STATE,
      response: { description: "The subflow's run as recorded", schema: RUN },
      handler: (_req, { params: { id, child }, body }: RouteContext<SubflowState>) =>
        json(runToJson(reportSubflowState(store, id!, child!, body))),
    },
    {
      method: "POST",
      path: "/api/runs/:id/pause",
      operationId: "pauseRun",
      summary:
        "A flow's pause(): {key, timeout_ms, input_schema}; the run goes PAUSED, or gets the input when resumed already",
      body: PAUSE_REQUEST,
      response: { description: "{resumed, input}", schema: PAUSE_ANSWER },
      handler: (_req, { params: { id }, body }: RouteContext<PauseRequest>) => {
        settle?.(id!);
        return json(pauseRun(store, id!, body));
      },
    },
    {
      method: "POST",
      path: "/api/runs/:id/resume",
      operationId: "resumeRun",
      summary:
        "Resume a paused run with {input}, checked against its pause's input schema; it starts again from the top, reusing what completed before the pause",
      body: RESUME_REQUEST,
      response: { description: "The run, SCHEDULED (Resuming)", schema: RUN },
      handler: (_req, { params: { id }, body }: RouteContext<ResumeRequest>) =>
        json(runToJson(resumeRun(store, id!, body.input ?? {}))),
    },
  ];
}
