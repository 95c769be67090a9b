import type { DeploymentSpec } from "../core/index.ts";
import {
  missingParameters,
  missingParametersMessage,
  OrchError,
  renderRunName,
  type TriggeredBy,
} from "../core/index.ts";
import { schemaProblems } from "../core/json-schema.ts";
import { getVersion, listVersions } from "./deployment-versions.ts";
import {
  deploymentSpec,
  deploymentToPlan,
  getDeploymentOrThrow,
  type PlanningRow,
} from "./deployments.ts";
import { makeRun } from "./make-run.ts";
import type { Store } from "./open-store.ts";
import type { RunOptions } from "./run-options.ts";
import type { RunRow } from "./run-row.ts";
import { createRun, type NewRun } from "./runs.ts";
import type { ProposedStep } from "./transition-run.ts";

/** How to make a run of a deployment: what the caller adds to its definition. */
export interface DeploymentRunRequest {
  /** Merged over the deployment's defaults (and over `base`, when given). */
  parameters?: Record<string, unknown>;
  /** Parameters between the defaults and the request's: a schedule's or a trigger's. */
  base?: Record<string, unknown>;
  tags?: string[];
  scheduledAt?: number;
  idempotencyKey?: string | null;
  createdBy?: string;
  parentId?: string | null;
  message?: string;
  triggerChain?: string[];
  /** The trigger that starts it, and the event that fired the trigger. */
  triggeredBy?: TriggeredBy;
  /** The backfill making the run, and the slot it is for. */
  backfill?: { id: string; slotAt: number };
  /** The run's name (default: the version's run_name template, filled in). */
  name?: string;
  /** Run this version (default: the deployment's active one). */
  version?: number;
  /** Options over the version's (timeout, env). */
  options?: RunOptions;
  /**
   * The deployment as just read in the caller's transaction, with its spec parsed: planning
   * makes many runs of one deployment and need not read it again for each.
   */
  current?: { row: PlanningRow; spec: DeploymentSpec };
}

/**
 * Create a run of a deployment's current version: parameters merged over its defaults and
 * checked against its parameter schema (every problem reported, nothing created when any), its
 * retries, pool, queue and tags. The one way every caller (a user through the API, a schedule,
 * a trigger) makes a deployment's run.
 */
export function createDeploymentRun(
  store: Store,
  name: string,
  request: DeploymentRunRequest = {},
  startAs?: (made: RunRow) => ProposedStep | null,
): RunRow {
  const input = deploymentRun(store, name, request);
  // `startAs`: a worker that claims the run as it is made (see makeRun).
  return startAs ? makeRun(store, input, startAs) : createRun(store, input);
}

/**
 * What a new run of a deployment holds (createDeploymentRun's rules), checked but not created:
 * planning checks a schedule's request once and inserts each of its slots with insertRun.
 * Throws, writing nothing, when the parameters do not match the schema or the version is unknown.
 */
export function deploymentRun(
  store: Store,
  name: string,
  request: DeploymentRunRequest = {},
): NewRun {
  const deployment: PlanningRow = request.current?.row ?? liveDeployment(store, name);
  const version = request.version ?? deployment.version;
  const row =
    version === deployment.version ? deployment : getVersion(store, deployment.id, version);
  if (!row) {
    const known = listVersions(store, deployment.id).map((v) => v.version);
    throw new OrchError(
      "E_NOT_FOUND",
      `deployment ${name} has no version ${version} (it has ${known.join(", ")}); orch deployments inspect ${name} lists them`,
    );
  }
  const spec = request.current && row === deployment ? request.current.spec : deploymentSpec(row);
  const parameters = { ...spec.parameters, ...request.base, ...request.parameters };
  const problems = spec.parameter_schema
    ? schemaProblems(
        spec.parameter_schema,
        parameters,
        "parameters",
        "is not in the parameter schema",
      )
    : [];
  // A placeholder left without a value would fail the run as it starts: refused as it is made.
  const missing = missingParameters(spec, parameters).filter(
    (m) => !problems.some((p) => p.where === m.where),
  );
  if (problems.length || missing.length) {
    throw new OrchError(
      "E_BAD_INPUT",
      problems.length
        ? `the parameters do not match the parameter schema of ${name}`
        : missingParametersMessage(name, missing),
      [...problems, ...missing],
    );
  }
  return {
    deploymentId: deployment.id,
    deployment: deployment.name,
    version,
    parameters,
    name: request.name ?? (spec.run_name ? renderRunName(spec.run_name, parameters) : null),
    options: request.options ?? null,
    tags: [...new Set([...spec.tags, ...(request.tags ?? [])])],
    workPool: spec.work_pool,
    workQueue: spec.work_queue,
    retries: spec.retries,
    retryDelayMs: spec.retry_delay_ms,
    scheduledAt: request.scheduledAt,
    idempotencyKey: request.idempotencyKey ?? null,
    createdBy: request.createdBy ?? "manual",
    parentId: request.parentId ?? null,
    message: request.message,
    ...(request.triggerChain ? { triggerChain: request.triggerChain } : {}),
    ...(request.triggeredBy ? { triggeredBy: request.triggeredBy } : {}),
    ...(request.backfill
      ? { backfillId: request.backfill.id, slotAt: request.backfill.slotAt }
      : {}),
  };
}

/**
 * A deployment that is not removed, as planning reads it; getDeploymentOrThrow's error when it
 * is gone. Why not getDeploymentOrThrow itself: its join with the version (for the hash and
 * bundle, which a new run never uses) cost as much as inserting the run, on every trigger.
 */
function liveDeployment(store: Store, name: string): PlanningRow {
  const row = deploymentToPlan(store, name);
  if (row && row.removed_at === null) return row;
  getDeploymentOrThrow(store, name);
  throw new OrchError("E_NOT_FOUND", `deployment ${name} was removed`);
}
