/**
 * The worker protocol: how a remote worker (or `orch flow run`) joins, heartbeats, claims its
 * jobs and leaves, over /api/workers/…; what it reports of the runs it holds is in
 * worker-reports.ts, the bundles it downloads in bundles.ts.
 */
import { DEPLOYMENT_SPEC } from "./deployment-specs.ts";
import { INFRASTRUCTURE } from "./pools.ts";
import { EMPTY, OBJECT, type Wire } from "./schema.ts";

/** The longest a claim waits for work before it answers with none. */
export const MAX_CLAIM_WAIT_MS = 60_000;

const ID = { type: "string", minLength: 1, maxLength: 100 } as const;
const IDS = { type: "array", maxItems: 10_000, items: ID } as const;
const RUN_IDS = { type: "array", items: { type: "string" } } as const;

/** POST /api/workers: a worker says who it is. */
export const WORKER_REGISTRATION = {
  title: "WorkerRegistration",
  type: "object",
  additionalProperties: false,
  required: ["name", "pool", "host", "concurrency"],
  properties: {
    name: {
      type: "string",
      minLength: 1,
      maxLength: 200,
      // orch up's own worker is recognised by this name when it restarts (recover-runs.ts).
      pattern: "^(?!embedded$)",
      description: "any name but embedded, which is orch up's own worker",
    },
    pool: { type: "string", minLength: 1, maxLength: 200 },
    host: { type: "string", minLength: 1, maxLength: 255 },
    concurrency: { type: "integer", minimum: 1, maximum: 1000 },
    pid: { type: ["integer", "null"], minimum: 1 },
  },
} as const;

/** The answer to a registration: the worker's id and how often it must heartbeat. */
export const WORKER_REGISTERED = {
  title: "WorkerRegistered",
  type: "object",
  additionalProperties: false,
  required: ["id", "name", "pool", "heartbeat_ms", "stale_after_ms"],
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    pool: { type: "string" },
    heartbeat_ms: { type: "integer", minimum: 1 },
    stale_after_ms: { type: "integer", minimum: 1 },
  },
} as const;

/** POST /api/workers/:id/heartbeat: no body. */
export const HEARTBEAT_REQUEST = EMPTY;

/** The answer to a heartbeat: the worker's runs being cancelled. */
export const HEARTBEAT_RESPONSE = {
  title: "HeartbeatResponse",
  type: "object",
  additionalProperties: false,
  required: ["cancel"],
  properties: { cancel: RUN_IDS },
} as const;

/** POST /api/workers/:id/claim: free slots, how long to wait, and the runs the worker holds. */
export const CLAIM_REQUEST = {
  title: "ClaimRequest",
  type: "object",
  additionalProperties: false,
  required: ["limit"],
  properties: {
    limit: {
      type: "integer",
      minimum: 0,
      maximum: 1000,
      description: "Runs to claim at most (the worker's free slots); 0 only waits for cancels",
    },
    wait_ms: {
      type: "integer",
      minimum: 0,
      maximum: MAX_CLAIM_WAIT_MS,
      description: "Wait up to this long for work (or a cancel) before answering with nothing",
    },
    held: { ...IDS, description: "Runs the worker holds (running, or states not yet delivered)" },
    cancelling: { ...IDS, description: "Of those, the ones it was already told to cancel" },
  },
} as const;

/** One attempt of a run for a worker to execute. */
export const WORKER_JOB = {
  title: "WorkerJob",
  type: "object",
  additionalProperties: false,
  required: ["run_id", "deployment", "version", "attempt", "parameters", "spec", "bundle"],
  properties: {
    run_id: { type: "string" },
    deployment: { type: "string" },
    version: { type: "integer", minimum: 1 },
    attempt: { type: "integer", minimum: 1, description: "The attempt this will be (1 first)" },
    parameters: { ...OBJECT, description: "The run's parameters over the deployment's defaults" },
    spec: DEPLOYMENT_SPEC,
    bundle: {
      type: ["string", "null"],
      description: "The version's bundle (GET /api/bundles/:hash), or null when it has no files",
    },
    secrets: {
      type: "object",
      additionalProperties: { type: "string" },
      description: "The values of the secrets this run's version names, and only those",
    },
    variables: {
      type: "object",
      additionalProperties: { type: "string" },
      description: "The values of the variables this run's version names",
    },
    scheduled_at: {
      type: "string",
      description: "The time the run is for (its slot), ISO: the run's ORCH_SCHEDULED_AT",
    },
    infrastructure: {
      ...INFRASTRUCTURE,
      description:
        "Where it runs: its pool's type and job template with the deployment's job_variables",
    },
  },
} as const;

/** The answer to a claim: new (or undelivered) jobs, and runs to cancel. */
export const CLAIM_RESPONSE = {
  title: "ClaimResponse",
  type: "object",
  additionalProperties: false,
  required: ["jobs", "cancel"],
  properties: { jobs: { type: "array", items: WORKER_JOB }, cancel: RUN_IDS },
} as const;

/** POST /api/workers/:id/offline: no body. */
export const OFFLINE_REQUEST = EMPTY;

/** The answer to a worker going offline: the runs it still held, now CRASHED. */
export const WORKER_OFFLINE = {
  title: "WorkerOffline",
  type: "object",
  additionalProperties: false,
  required: ["id", "status", "crashed"],
  properties: {
    id: { type: "string" },
    status: { type: "string", enum: ["offline"] },
    crashed: RUN_IDS,
  },
} as const;

export type WorkerRegistration = Wire<typeof WORKER_REGISTRATION>;
export type WorkerRegistered = Wire<typeof WORKER_REGISTERED>;
export type HeartbeatResponse = Wire<typeof HEARTBEAT_RESPONSE>;
export type ClaimRequestJson = Wire<typeof CLAIM_REQUEST>;
export type WorkerJob = Wire<typeof WORKER_JOB>;
export type ClaimResponseJson = Wire<typeof CLAIM_RESPONSE>;
export type WorkerOffline = Wire<typeof WORKER_OFFLINE>;
