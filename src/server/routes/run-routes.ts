import {
  LIST_RUNS_QUERY,
  OrchError,
  PRUNE_MIN_AGE_MS,
  PRUNE_REQUEST,
  PRUNE_RESULT,
  type PruneRequest,
  parseDuration,
  RETRY_REQUEST,
  type RetryRequest,
  RUN,
  RUN_DETAIL,
  TASK_REPORT,
  TASKS_STORED,
  type TaskReport,
  TRIGGER_RUN_REQUEST,
  type TriggerRunRequest,
} from "../../core/index.ts";
import {
  createDeploymentRun,
  createGroupCommit,
  getRunOrThrow,
  listRuns,
  type ProposedStep,
  parseRunCursor,
  pruneOlderThan,
  type RunRow,
  runCursor,
  runToJson,
  type Store,
  upsertTaskRuns,
} from "../../store/index.ts";
import type { RetryOptions } from "../../worker/index.ts";
import { json } from "../http.ts";
import type { Route, RouteContext } from "../router.ts";
import { type AdHocRunDeps, adHocRunRoutes } from "./ad-hoc-run-routes.ts";
import { artifactRoutes } from "./artifact-routes.ts";
import { flowRunRoutes } from "./flow-run-routes.ts";
import { envelopeOf, resultRoutes } from "./result-routes.ts";
import { runCountRoutes } from "./run-count-routes.ts";
import { runDetail } from "./run-detail.ts";
import { runFilterOf } from "./run-filter.ts";
import { runLogRoutes } from "./run-log-routes.ts";
import { taskResultRoutes } from "./task-result-routes.ts";

/** What the run routes need: the store, and the worker's cancel and retry when a server runs. */
export interface RunRoutesDeps {
  store: Store;
  /** The project's paths: results too large for the database go under its data dir. */
  paths: { data: string };
  /** Cancel and retry, from the worker (absent in a server-less API). */
  cancel?: (store: Store, runId: string) => RunRow;
  retry?: (store: Store, runId: string, options?: RetryOptions) => RunRow;
  /**
   * Claim due runs of a pool for the server's own worker in the caller's transaction (started
   * once it commits): a run triggered while a slot is free is created and claimed in one commit.
   * Returns the runs it moved: claimed, or cancelled by a deployment's limit (cancel-new).
   */
  claimNow?: (pool: string, made?: RunRow) => RunRow[];
  /** The state a run being made starts in: PENDING when the worker claims it as it is made. */
  startAs?: (pool: string, made: RunRow) => ProposedStep | null;
  /** Write what the worker holds back of a run, before a request of its process (flowRunRoutes). */
  settle?: (runId: string) => void;
  /** How often a quiet log stream sends a comment (default KEEP_ALIVE_MS). */
  keepAliveMs?: number;
  /** The values an ad-hoc run's files name (see adHocRunRoutes). */
  values?: AdHocRunDeps["values"];
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

/** Routes for runs: trigger, list, inspect, logs (and follow), cancel, retry. */
// The ad-hoc run and log routes live in their own files; they are spliced in here so the routes
// (and the API document) keep their order.
export function runRoutes({
  store,
  paths,
  cancel,
  retry,
  claimNow,
  startAs,
  settle,
  keepAliveMs,
  values,
}: RunRoutesDeps): Route[] {
  // Runs triggered in a burst are created (and claimed) a turn's worth per transaction.
  const creations = createGroupCommit(store);
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
      handler: async (_req, { params: { name }, body }: RouteContext<TriggerRunRequest>) => {
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
        // Claimed as it is made where the worker may (startAs), the others by the claim after.
        const claimAsMade =
          startAs && claimNow && ((made: RunRow) => startAs(made.work_pool, made));
        const run = await creations.run(() => {
          const created = createDeploymentRun(
            store,
            name!,
            {
              parameters: body.parameters,
              tags: body.tags,
              scheduledAt,
              idempotencyKey: body.idempotency_key,
              createdBy: "api",
              ...(body.name !== undefined ? { name: body.name } : {}),
              ...(body.version !== undefined ? { version: body.version } : {}),
              options: {
                ...(body.timeout_ms !== undefined ? { timeout_ms: body.timeout_ms } : {}),
                ...(body.env !== undefined ? { env: body.env } : {}),
              },
            },
            claimAsMade,
          );
          // As the claim left it: started (PENDING), cancelled in this same commit (a
          // deployment's concurrency with collision: cancel-new), or as it was made.
          if (!claimNow) return created;
          return claimNow(created.work_pool, created).find((r) => r.id === created.id) ?? created;
        });
        return json(runToJson(run), 201);
      },
    },
    ...adHocRunRoutes({ store, ...(values ? { values } : {}) }),
    {
      method: "GET",
      path: "/api/runs",
      summary:
        "List runs by when they started (or are due), newest first (or soonest: ?order=soonest): ?deployment=&state=&tag=&q=&since=&until=&limit=&cursor=",
      query: LIST_RUNS_QUERY,
      operationId: "listRuns",
      response: {
        description: "Runs, newest (or soonest) first; the x-next-cursor header pages on",
        schema: { type: "array", items: RUN },
        headers: {
          "x-next-cursor": {
            description: "The cursor of the next page (absent on the last page)",
            schema: { type: "string" },
          },
        },
      },
      handler: (_req, { query }) => {
        const limit = query.limit as number;
        const rows = listRuns(store, {
          ...runFilterOf(query, store.clock.now()),
          order: query.order as "newest" | "soonest",
          limit,
          before: cursor(query.cursor as string | undefined),
        });
        const headers: Record<string, string> = {};
        if (rows.length === limit) headers["x-next-cursor"] = runCursor(rows.at(-1)!);
        return json(rows.map(runToJson), 200, headers);
      },
    },
    ...runCountRoutes({ store }),
    {
      method: "GET",
      path: "/api/runs/:id",
      operationId: "getRun",
      summary: "One run (an unambiguous id prefix will do), with its state history and tasks",
      response: { description: "The run", schema: RUN_DETAIL },
      handler: (_req, { params: { id } }) => json(runDetail(store, id!)),
    },
    ...runLogRoutes({ store, keepAliveMs }),
    ...resultRoutes({ store, dataDir: paths.data }),
    ...taskResultRoutes({ store, dataDir: paths.data }),
    ...artifactRoutes({ store }),
    {
      method: "POST",
      path: "/api/runs/prune",
      summary:
        'Delete finished runs that ended longer ago than older_than (with their logs), and older events: {older_than: "30d", dry_run}',
      operationId: "pruneRuns",
      body: PRUNE_REQUEST,
      response: { description: "What was (or, dry, would be) deleted", schema: PRUNE_RESULT },
      handler: async (_req, { body }: RouteContext<PruneRequest>) => {
        const ms = parseDuration(body.older_than);
        if (ms === undefined || ms < PRUNE_MIN_AGE_MS) {
          throw new OrchError("E_BAD_INPUT", "the request body is not valid", [
            {
              where: "older_than",
              message: `${JSON.stringify(body.older_than)} is not a duration of at least 1m (like "30d")`,
            },
          ]);
        }
        return json(await pruneOlderThan(store, store.clock.now() - ms, body.dry_run === true));
      },
    },
    {
      method: "POST",
      path: "/api/runs/:id/tasks",
      summary:
        "A flow reports its task runs' latest states: {tasks: [{id, name, state, attempts, started_at, ended_at, cached, result}]}",
      operationId: "reportTasks",
      body: TASK_REPORT,
      response: { description: "How many task runs were stored", schema: TASKS_STORED },
      handler: (_req, { params: { id }, body }: RouteContext<TaskReport>) => {
        const run = getRunOrThrow(store, id!);
        const time = (t: string | null) => (t === null ? null : Date.parse(t));
        upsertTaskRuns(
          store,
          run,
          body.tasks.map(({ result, result_problem, ...t }, i) => ({
            ...t,
            started_at: time(t.started_at),
            ended_at: time(t.ended_at),
            // A task's result rides with the report of its end; reports without one keep it.
            result:
              "result" in body.tasks[i]! || result_problem !== undefined
                ? envelopeOf(paths.data, result, result_problem, `the result of task ${t.name}`)
                : undefined,
          })),
        );
        return json({ stored: body.tasks.length });
      },
    },
    ...flowRunRoutes({ store, ...(settle ? { settle } : {}) }),
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
      summary:
        "Run a finished run again (same run, next attempt) on its deployment's active version: {from_failed: true} reuses the results of the tasks that completed before the failure, {own_version: true} runs the run's own version",
      body: RETRY_REQUEST,
      response: { description: "The run, scheduled again", schema: RUN },
      handler: (_req, { params: { id }, body }: RouteContext<RetryRequest>) => {
        if (!retry) needsWorker("retrying a run");
        const options = {
          fromFailed: body.from_failed === true,
          ownVersion: body.own_version === true,
        };
        return json(runToJson(retry!(store, id!, options)));
      },
    },
  ];
}
