import {
  AD_HOC_RUN_REQUEST,
  type AdHocRunRequest,
  iso,
  isStateType,
  isTerminal,
  LIST_RUNS_QUERY,
  LOG_LINE,
  LOG_STREAM,
  OrchError,
  PRUNE_REQUEST,
  PRUNE_RESULT,
  type PruneRequest,
  parseDuration,
  RUN,
  RUN_DETAIL,
  RUN_LOGS_QUERY,
  type RunDetail,
  TASK_REPORT,
  TASKS_STORED,
  type TaskReport,
  TRIGGER_RUN_REQUEST,
  type TriggerRunRequest,
} from "../../core/index.ts";
import {
  createDeploymentRun,
  createRun,
  eventToJson,
  getRun,
  getRunOrThrow,
  getWorker,
  listLogs,
  listRuns,
  listTaskRuns,
  logLineToJson,
  parseRunCursor,
  pruneRuns,
  type RunRow,
  runCursor,
  runStates,
  runToJson,
  type Store,
  transitionRun,
  upsertTaskRuns,
} from "../../store/index.ts";
import { AD_HOC_POOL } from "../../worker/index.ts";
import { json } from "../http.ts";
import type { Route, RouteContext } from "../router.ts";
import { sseResponse } from "../sse.ts";

export interface RunRoutesDeps {
  store: Store;
  /** Cancel and retry, from the worker (absent in a server-less API). */
  cancel?: (store: Store, runId: string) => RunRow;
  retry?: (store: Store, runId: string) => RunRow;
  /** How often a quiet log stream sends a comment (default KEEP_ALIVE_MS). */
  keepAliveMs?: number;
}

/** A page cursor from the query, or a 400. */
function cursor(text: string | undefined) {
  if (text === undefined) return undefined;
  const parsed = parseRunCursor(text);
  if (!parsed) {
    throw new OrchError("E_BAD_INPUT", "the query is not valid", [
      { where: "cursor", message: "is not a cursor: use x-next-cursor of the previous page" },
    ]);
  }
  return parsed;
}

/** A run with its history and task runs. */
export function runDetail(store: Store, idOrPrefix: string): RunDetail {
  const run = getRunOrThrow(store, idOrPrefix);
  const tasks = listTaskRuns(store, run.seq);
  return {
    ...runToJson(run),
    state_message: run.state_message,
    states: runStates(store, run.seq),
    tasks: tasks.map((t) => ({
      name: t.name,
      state: t.state,
      attempts: t.attempts,
      started_at: iso(t.started_at),
      ended_at: iso(t.ended_at),
      cached: t.cached === 1,
    })),
  };
}

/** Routes for runs: trigger, list, inspect, logs (and follow), cancel, retry. */
export function runRoutes({ store, cancel, retry, keepAliveMs }: RunRoutesDeps): Route[] {
  const needsWorker = (what: string) => {
    throw new OrchError("E_NO_SERVER", `${what} needs a running server; start one with orch up`);
  };
  return [
    {
      method: "POST",
      path: "/api/deployments/:name/runs",
      operationId: "triggerRun",
      summary: "Trigger a run: {parameters} merged over the deployment's defaults",
      body: TRIGGER_RUN_REQUEST,
      response: { status: 201, description: "The new run", schema: RUN },
      handler: (_req, { params: { name }, body }: RouteContext<TriggerRunRequest>) => {
        let scheduledAt: number | undefined;
        if (body.scheduled_at !== undefined) {
          scheduledAt = Date.parse(body.scheduled_at);
          if (Number.isNaN(scheduledAt)) {
            throw new OrchError("E_BAD_INPUT", "the request body is not valid", [
              {
                where: "scheduled_at",
                message: `${JSON.stringify(body.scheduled_at)} is not an ISO time`,
              },
            ]);
          }
        }
        const run = createDeploymentRun(store, name!, {
          parameters: body.parameters,
          tags: body.tags,
          scheduledAt,
          idempotencyKey: body.idempotency_key,
          createdBy: "api",
        });
        return json(runToJson(run), 201);
      },
    },
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
    {
      method: "GET",
      path: "/api/runs",
      summary:
        "List runs by when they started (or are due), newest first: ?deployment=&state=&tag=&limit=&cursor=",
      query: LIST_RUNS_QUERY,
      operationId: "listRuns",
      response: {
        description: "Runs, newest first; the x-next-cursor header pages on",
        schema: { type: "array", items: RUN },
        headers: {
          "x-next-cursor": {
            description: "The cursor of the next page (absent on the last page)",
            schema: { type: "string" },
          },
        },
      },
      handler: (_req, { query }) => {
        const state = (query.state as string | undefined)?.toUpperCase();
        if (state !== undefined && !isStateType(state)) {
          throw new OrchError("E_BAD_INPUT", "the query is not valid", [
            {
              where: "state",
              message: `must be a state type (SCHEDULED, RUNNING, …), not ${JSON.stringify(query.state)}`,
            },
          ]);
        }
        const limit = query.limit as number;
        const time = (key: "since" | "until") => {
          if (query[key] === undefined) return undefined;
          const ms = Date.parse(String(query[key]));
          if (Number.isNaN(ms)) {
            throw new OrchError("E_BAD_INPUT", "the query is not valid", [
              { where: key, message: `${JSON.stringify(query[key])} is not an ISO time` },
            ]);
          }
          return ms;
        };
        const [since, until] = [time("since"), time("until")];
        if (since !== undefined && until !== undefined && since >= until) {
          throw new OrchError("E_BAD_INPUT", "the query is not valid", [
            { where: "until", message: "must be after since" },
          ]);
        }
        const rows = listRuns(store, {
          ...(query.planned === false ? { plannedAfter: store.clock.now() } : {}),
          since,
          until,
          deployment: query.deployment as string | undefined,
          state,
          tag: query.tag as string | undefined,
          limit,
          before: cursor(query.cursor as string | undefined),
        });
        const headers: Record<string, string> = {};
        if (rows.length === limit) headers["x-next-cursor"] = runCursor(rows.at(-1)!);
        return json(rows.map(runToJson), 200, headers);
      },
    },
    {
      method: "GET",
      path: "/api/runs/:id",
      operationId: "getRun",
      summary: "One run (an unambiguous id prefix will do), with its state history and tasks",
      response: { description: "The run", schema: RUN_DETAIL },
      handler: (_req, { params: { id } }) => json(runDetail(store, id!)),
    },
    {
      method: "GET",
      path: "/api/runs/:id/logs",
      summary:
        "A run's log lines: ?after=<line id>&limit=; ?follow=1 streams them (SSE) until the run ends",
      query: RUN_LOGS_QUERY,
      operationId: "getRunLogs",
      response: {
        description:
          "The lines, oldest first; with follow=1, server-sent events: `log` (data: a LogLine), `state` (data: an Event of the run), then `end` (data: the final Run)",
        schema: { type: "array", items: LOG_LINE },
        stream: true,
        events: LOG_STREAM,
      },
      handler: (_req, { params: { id }, query }) => {
        const run = getRunOrThrow(store, id!);
        let after = query.after as number;
        if (query.follow !== true) {
          return json(
            listLogs(store, run.seq, { after, limit: query.limit as number }).map(logLineToJson),
          );
        }
        return sseResponse((send, close) => {
          const flush = () => {
            for (;;) {
              const lines = listLogs(store, run.seq, { after, limit: 5000 });
              for (const l of lines) send({ event: "log", id: l.id, data: logLineToJson(l) });
              if (lines.length) after = lines.at(-1)!.id;
              if (lines.length < 5000) return;
            }
          };
          const finish = () => {
            flush();
            const current = getRun(store, run.id);
            if (!current) {
              // A planned run the scheduler replaced: there is nothing more to follow.
              send({ event: "end", data: { ...runToJson(run), deleted: true } });
              close();
            } else if (isTerminal(current.state_type)) {
              send({ event: "end", data: runToJson(current) });
              close();
            }
          };
          const stopLogs = store.watchLogs((seqs) => {
            if (seqs.includes(run.seq)) flush();
          });
          const stopEvents = store.subscribe((event) => {
            if (event.resource === run.id) {
              send({ event: "state", id: event.id, data: eventToJson(event) });
              finish();
            }
          });
          queueMicrotask(() => finish());
          return () => {
            stopLogs();
            stopEvents();
          };
        }, keepAliveMs);
      },
    },
    {
      method: "POST",
      path: "/api/runs/prune",
      summary:
        'Delete finished runs that ended longer ago than older_than (with their logs), and older events: {older_than: "30d", dry_run}',
      operationId: "pruneRuns",
      body: PRUNE_REQUEST,
      response: { description: "What was (or, dry, would be) deleted", schema: PRUNE_RESULT },
      handler: (_req, { body }: RouteContext<PruneRequest>) => {
        const ms = parseDuration(body.older_than);
        if (ms === undefined || ms < 60_000) {
          throw new OrchError("E_BAD_INPUT", "the request body is not valid", [
            {
              where: "older_than",
              message: `${JSON.stringify(body.older_than)} is not a duration of at least 1m (like "30d")`,
            },
          ]);
        }
        return json(pruneRuns(store, store.clock.now() - ms, body.dry_run === true));
      },
    },
    {
      method: "POST",
      path: "/api/runs/:id/tasks",
      summary:
        "A flow reports its task runs' latest states: {tasks: [{id, name, state, attempts, started_at, ended_at}]}",
      operationId: "reportTasks",
      body: TASK_REPORT,
      response: { description: "How many task runs were stored", schema: TASKS_STORED },
      handler: (_req, { params: { id }, body }: RouteContext<TaskReport>) => {
        const run = getRunOrThrow(store, id!);
        const time = (t: string | null) => (t === null ? null : Date.parse(t));
        upsertTaskRuns(
          store,
          run.seq,
          body.tasks.map((t) => ({
            ...t,
            started_at: time(t.started_at),
            ended_at: time(t.ended_at),
          })),
        );
        return json({ stored: body.tasks.length });
      },
    },
    {
      method: "POST",
      path: "/api/runs/:id/cancel",
      operationId: "cancelRun",
      summary: "Cancel a run: at once if it has not started, else its process tree is stopped",
      response: { description: "The run, CANCELLED or CANCELLING", schema: RUN },
      handler: (_req, { params: { id } }) => {
        if (!cancel) needsWorker("cancelling a run");
        return json(runToJson(cancel!(store, id!)));
      },
    },
    {
      method: "POST",
      path: "/api/runs/:id/retry",
      operationId: "retryRun",
      summary: "Run a finished run again (same run, next attempt)",
      response: { description: "The run, scheduled again", schema: RUN },
      handler: (_req, { params: { id } }) => {
        if (!retry) needsWorker("retrying a run");
        return json(runToJson(retry!(store, id!)));
      },
    },
  ];
}
