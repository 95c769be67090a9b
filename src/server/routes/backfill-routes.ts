import {
  BACKFILL,
  BACKFILL_PLAN,
  CREATE_BACKFILL_REQUEST,
  type CreateBackfillRequest,
} from "../../core/index.ts";
import { backfillToJson, createBackfill, planBackfill } from "../../scheduler/index.ts";
import {
  getBackfillOrThrow,
  listBackfills,
  type RunRow,
  type Store,
  setBackfillStatus,
  transitionRun,
  unfinishedBackfillRuns,
} from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route, RouteContext } from "../router.ts";

/** What the backfill routes need: the store, and the worker's cancel when a server runs. */
export interface BackfillRoutesDeps {
  store: Store;
  cancel?: (store: Store, runId: string, message?: string) => RunRow;
}

/** Routes under /api/backfills: start one (or plan it), list, inspect, pause, resume, cancel. */
export function backfillRoutes({ store, cancel }: BackfillRoutesDeps): Route[] {
  const show = (id: string) => json(backfillToJson(store, getBackfillOrThrow(store, id)));
  const setStatus = (id: string, status: "paused" | "running", message: string) => {
    const row = getBackfillOrThrow(store, id);
    return json(backfillToJson(store, setBackfillStatus(store, row.id, status, message)));
  };
  return [
    {
      method: "GET",
      path: "/api/backfills",
      operationId: "listBackfills",
      summary: "Backfills, newest first",
      response: {
        description: "Backfills, newest first",
        schema: { type: "array", items: BACKFILL },
      },
      handler: () => json(listBackfills(store).map((row) => backfillToJson(store, row))),
    },
    {
      method: "POST",
      path: "/api/backfills",
      operationId: "createBackfill",
      summary: "Start a backfill: one run per schedule slot between from and to",
      body: CREATE_BACKFILL_REQUEST,
      response: { status: 201, description: "The new backfill", schema: BACKFILL },
      handler: (_req, { body }: RouteContext<CreateBackfillRequest>) =>
        json(backfillToJson(store, createBackfill(store, body)), 201),
    },
    {
      method: "POST",
      path: "/api/backfills/plan",
      operationId: "planBackfill",
      summary: "The slots a backfill would run (a dry run: nothing is made)",
      body: CREATE_BACKFILL_REQUEST,
      response: { description: "The slots, in the order they would run", schema: BACKFILL_PLAN },
      handler: (_req, { body }: RouteContext<CreateBackfillRequest>) =>
        json(planBackfill(store, body)),
    },
    {
      method: "GET",
      path: "/api/backfills/:id",
      operationId: "getBackfill",
      summary: "One backfill (by id or unambiguous id prefix), with its progress",
      response: { description: "The backfill", schema: BACKFILL },
      handler: (_req, { params: { id } }) => show(id!),
    },
    {
      method: "POST",
      path: "/api/backfills/:id/pause",
      operationId: "pauseBackfill",
      summary: "Make no more runs of a backfill (its runs going on finish)",
      response: { description: "The backfill, paused", schema: BACKFILL },
      handler: (_req, { params: { id } }) => setStatus(id!, "paused", "paused by a user"),
    },
    {
      method: "POST",
      path: "/api/backfills/:id/resume",
      operationId: "resumeBackfill",
      summary: "Go on with a paused backfill from the slot where it stopped",
      response: { description: "The backfill, running", schema: BACKFILL },
      handler: (_req, { params: { id } }) => setStatus(id!, "running", ""),
    },
    {
      method: "POST",
      path: "/api/backfills/:id/cancel",
      operationId: "cancelBackfill",
      summary: "Stop a backfill: no more runs, and its unfinished runs cancelled",
      response: { description: "The backfill, cancelled", schema: BACKFILL },
      handler: (_req, { params: { id } }) => {
        const row = store.tx(() => {
          const found = getBackfillOrThrow(store, id!);
          const message = `cancelled with backfill ${found.id.slice(0, 8)}`;
          const next = setBackfillStatus(store, found.id, "cancelled", "cancelled by a user");
          for (const run of unfinishedBackfillRuns(store, found.id)) {
            // Without a server's worker only runs that never started can be unfinished.
            if (cancel) cancel(store, run.id, message);
            else transitionRun(store, run.id, { type: "CANCELLED", message });
          }
          return next;
        });
        return json(backfillToJson(store, row));
      },
    },
  ];
}
