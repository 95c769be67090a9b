import {
  type ClaimRequestJson,
  type ClaimResponseJson,
  type DeploymentSpec,
  iso,
  type ReferenceValues,
  type WorkerJob,
} from "../../core/index.ts";
import { resolveInfrastructure } from "../../definitions/index.ts";
import {
  claimRuns,
  deploymentSpec,
  getVersion,
  getWorkPool,
  heartbeatWorker,
  listActiveRuns,
  type RunRow,
  runSlotAt,
  type Store,
  specForRun,
  type WorkerRow,
} from "../../store/index.ts";
import type { WorkLook } from "./wait-for-work.ts";

/** The secrets and variables a version names, for its runs' jobs. */
export type ValueSource = (spec: DeploymentSpec) => ReferenceValues;

/** Runs as a remote worker's jobs; specs are read once per version. */
function toJobs(store: Store, runs: RunRow[], values?: ValueSource): WorkerJob[] {
  const versions = new Map<string, ReturnType<typeof getVersion>>();
  const jobs: WorkerJob[] = [];
  for (const run of runs) {
    if (run.deployment_id === null || run.version === null) continue;
    const key = `${run.deployment_id}:${run.version}`;
    if (!versions.has(key)) versions.set(key, getVersion(store, run.deployment_id, run.version));
    const version = versions.get(key);
    if (!version) continue;
    const spec = specForRun(deploymentSpec(version), run);
    jobs.push({
      run_id: run.id,
      deployment: run.deployment ?? spec.name,
      version: run.version,
      attempt: run.attempt + 1,
      // Merged over the deployment's defaults when the run was created (createDeploymentRun).
      parameters: JSON.parse(run.parameters) as Record<string, unknown>,
      spec,
      bundle: version.bundle,
      // Only the secrets this run's version names travel, over the worker's authenticated claim.
      ...(values ? valuesOrNone(values, spec) : {}),
      scheduled_at: iso(runSlotAt(run))!,
      infrastructure: resolveInfrastructure(getWorkPool(store, run.work_pool), spec.job_variables),
    });
  }
  return jobs;
}

/**
 * The values a job carries. One that cannot be read (its key is gone) must not fail the claim
 * of every run: the job goes without, and its run fails saying which secret it lacks.
 */
function valuesOrNone(values: ValueSource, spec: DeploymentSpec): Partial<ReferenceValues> {
  try {
    return values(spec);
  } catch {
    return {};
  }
}

/**
 * One look for a remote worker, in one transaction: cancels it was not told about, runs claimed
 * for it that it never got (an answer lost with a dropped connection), and new runs up to its
 * free slots. `liveWorker` finds the worker, or throws when it is unknown or offline.
 *
 * `byWorker`: the look its request made on arrival, which stamps its heartbeat. Why the server's
 * later looks in the held poll do not: a worker frozen (or cut off) with its poll still open is
 * not alive, and must be counted lost after the timeout like any silent worker.
 */
export function lookForWork(
  store: Store,
  liveWorker: () => WorkerRow,
  request: ClaimRequestJson,
  byWorker: boolean,
  values?: ValueSource,
): WorkLook {
  const held = new Set(request.held ?? []);
  const told = new Set(request.cancelling ?? []);
  return store.tx(() => {
    const worker = liveWorker();
    if (byWorker) heartbeatWorker(store, worker.id);
    const owned = listActiveRuns(store, { workerId: worker.id });
    const cancel = owned
      .filter((r) => r.state_type === "CANCELLING" && !told.has(r.id))
      .map((r) => r.id);
    const undelivered = owned.filter(
      (r) => r.state_type === "PENDING" && !held.has(r.id) && r.deployment_id !== null,
    );
    const room = request.limit - undelivered.length;
    const result =
      room > 0 ? claimRuns(store, { pool: worker.pool, workerId: worker.id, limit: room }) : null;
    const response: ClaimResponseJson = {
      jobs: toJobs(store, [...undelivered, ...(result?.claimed ?? [])], values),
      cancel,
    };
    return { response, nextDueAt: result?.nextDueAt ?? null };
  });
}
