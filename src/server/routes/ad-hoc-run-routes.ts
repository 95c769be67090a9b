import {
  AD_HOC_RETRIES_REQUEST,
  AD_HOC_RUN_REQUEST,
  type AdHocRetriesRequest,
  type AdHocRunRequest,
  isTerminal,
  OrchError,
  type ReferenceValues,
  RUN,
  RUN_VALUES,
  RUN_VALUES_REQUEST,
  type RunValuesRequest,
} from "../../core/index.ts";
import {
  createRun,
  getRunOrThrow,
  getWorker,
  type RunRow,
  runToJson,
  type Store,
  setRunRetries,
  transitionRun,
  type WorkerRow,
} from "../../store/index.ts";
import { AD_HOC_POOL } from "../../worker/index.ts";
import { json } from "../http.ts";
import type { Route, RouteContext } from "../router.ts";

/** What the ad-hoc routes use. */
export interface AdHocRunDeps {
  store: Store;
  /** The values of the secrets and variables named (the project's: createSecrets' forRun). */
  values?: (names: { secrets: string[]; variables: string[] }) => ReferenceValues;
}

/**
 * The routes of ad-hoc runs (no deployment), held by the worker that runs them: create one, take
 * it back for a retry, and give it the values its flow's files name.
 */
export function adHocRunRoutes({ store, values }: AdHocRunDeps): Route[] {
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
          const worker = adHocWorker(store, body.worker_id);
          const entry = `${body.flow}${body.export && body.export !== "default" ? `:${body.export}` : ""}`;
          const created = createRun(store, {
            parameters: body.parameters ?? {},
            retries: body.retries ?? 0,
            retryDelayMs: body.retry_delay_ms ?? 0,
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
      method: "POST",
      path: "/api/workers/:id/runs/:run/retries",
      summary:
        "The worker of an ad-hoc run sets its retries as its flow declares them (reported by its first attempt), before that attempt's final state",
      operationId: "setAdHocRetries",
      body: AD_HOC_RETRIES_REQUEST,
      response: { description: "The run, with its retries", schema: RUN },
      handler: (_req, { params: { id, run: runId }, body }: RouteContext<AdHocRetriesRequest>) => {
        const run = store.tx(() => {
          const run = heldAdHocRun(store, id!, runId!, "retries");
          if (isTerminal(run.state_type)) {
            throw new OrchError(
              "E_CONFLICT",
              `run ${run.id} has ended (${run.state_name}); its retries can no longer change`,
            );
          }
          setRunRetries(store, run, body.retries, body.retry_delay_ms ?? 0);
          return getRunOrThrow(store, run.id);
        });
        return json(runToJson(run));
      },
    },
    {
      method: "POST",
      path: "/api/workers/:id/runs/:run/values",
      summary:
        "The secrets and variables an ad-hoc run's flow files name, for the worker that holds it (as a deployment's run gets its version's with its job); one that does not exist is left out",
      operationId: "getAdHocRunValues",
      body: RUN_VALUES_REQUEST,
      response: { description: "The values, by name", schema: RUN_VALUES },
      handler: (_req, { params: { id, run: runId }, body }: RouteContext<RunValuesRequest>) => {
        // Only to the worker that holds it, about to start its process.
        heldAdHocRun(store, id!, runId!, "values");
        const names = { secrets: body.secrets ?? [], variables: body.variables ?? [] };
        return json(values ? values(names) : { secrets: {}, variables: {} });
      },
    },
    {
      method: "POST",
      path: "/api/workers/:id/runs/:run/retake",
      summary:
        "The worker of an ad-hoc run takes it back for its next attempt once it awaits a retry (no other worker claims it); a run that ended meanwhile (cancelled) is answered as it is",
      operationId: "retakeAdHocRun",
      response: { description: "The run: PENDING for this worker, or as it ended", schema: RUN },
      handler: (_req, { params: { id, run: runId } }) => {
        const run = store.tx(() => {
          const worker = adHocWorker(store, id!);
          const run = adHocRun(store, runId!, "retake");
          if (isTerminal(run.state_type)) return run;
          checkHeld(run, worker, "retake");
          if (run.state_name !== "AwaitingRetry") {
            throw new OrchError(
              "E_CONFLICT",
              `run ${run.id} is ${run.state_name}, not awaiting a retry; nothing to take back`,
            );
          }
          return transitionRun(
            store,
            run.id,
            { type: "PENDING", message: `held by ${worker.name} on ${worker.host}` },
            { workerId: worker.id },
          ).run;
        });
        return json(runToJson(run));
      },
    },
  ];
}

/**
 * What each route that acts on a held ad-hoc run does, for its refusals: what a run of a
 * deployment does instead, and what only the run's own orch flow run may do.
 */
const HELD_ACTIONS = {
  retries: {
    deployment: () => "its retries come from its deployment",
    own: "sets its retries",
  },
  values: {
    deployment: () =>
      "its worker gets the secrets and variables its version names with its job, from the claim",
    own: "is given its secrets and variables",
  },
  retake: {
    deployment: (run: RunRow) => `its retries are claimed by the workers of pool ${run.work_pool}`,
    own: "takes it back for its retry",
  },
} as const;

/** A route acting on a held ad-hoc run. */
type HeldAction = keyof typeof HELD_ACTIONS;

/** Ad-hoc run `runId`, held by online ad-hoc worker `workerId` (refused otherwise, saying why). */
function heldAdHocRun(store: Store, workerId: string, runId: string, action: HeldAction): RunRow {
  const worker = adHocWorker(store, workerId);
  const run = adHocRun(store, runId, action);
  checkHeld(run, worker, action);
  return run;
}

/** Run `runId`, refused when it is a deployment's: the ad-hoc routes act on ad-hoc runs alone. */
function adHocRun(store: Store, runId: string, action: HeldAction): RunRow {
  const run = getRunOrThrow(store, runId);
  if (run.created_by !== "ad-hoc") {
    throw new OrchError(
      "E_BAD_INPUT",
      `run ${run.id} is not an ad-hoc run; ${HELD_ACTIONS[action].deployment(run)}`,
    );
  }
  return run;
}

/** Only the `orch flow run` that made an ad-hoc run acts on it. */
function checkHeld(run: RunRow, worker: WorkerRow, action: HeldAction): void {
  if (run.worker_id !== worker.id) {
    throw new OrchError(
      "E_CONFLICT",
      `run ${run.id} is held by another worker (${run.worker_id ?? "none"}); only the orch flow run that made it ${HELD_ACTIONS[action].own}`,
    );
  }
}

/** The online worker `id` of the ad-hoc pool, which alone may hold ad-hoc runs. */
function adHocWorker(store: Store, id: string): WorkerRow {
  const worker = getWorker(store, id);
  if (worker?.status !== "online") {
    throw new OrchError(
      "E_BAD_INPUT",
      `worker ${id} is ${worker ? "offline" : "not registered"}; an ad-hoc run is created for the online worker that runs it (POST /api/workers)`,
    );
  }
  // Workers of other pools claim deployments' runs and would hold this one forever.
  if (worker.pool !== AD_HOC_POOL) {
    throw new OrchError(
      "E_BAD_INPUT",
      `worker ${worker.name} (${worker.id}) takes runs of pool ${worker.pool} and cannot run an ad-hoc flow; register the worker that runs it in pool ${AD_HOC_POOL} (POST /api/workers), as orch flow run does`,
    );
  }
  return worker;
}
