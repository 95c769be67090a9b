/**
 * The worker protocol: what a remote worker (or `orch flow run`) and the server say to each
 * other over /api/workers/… and /api/bundles/…
 */
import { DEPLOYMENT_SPEC } from "./deployments.ts";
import { INFRASTRUCTURE } from "./pools.ts";
import { RUN } from "./runs.ts";
import {
  EMPTY,
  LOG_FIELDS,
  LOG_LEVEL,
  LOG_STREAMS,
  OBJECT,
  STATE_NAME,
  type Wire,
} from "./schema.ts";

/** The longest a claim waits for work before it answers with none. */
export const MAX_CLAIM_WAIT_MS = 60_000;

/** Content hashes (of bundles and their objects) are lower-case sha256 hex. */
export const CONTENT_HASH = /^[0-9a-f]{64}$/;

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

const NAMES = {
  type: "array",
  maxItems: 1000,
  items: { type: "string", minLength: 1, maxLength: 200 },
} as const;

/** The names of the secrets and variables an ad-hoc run's flow files use (found by its worker). */
export const RUN_VALUES_REQUEST = {
  title: "RunValuesRequest",
  type: "object",
  additionalProperties: false,
  properties: {
    secrets: { ...NAMES, description: 'Secrets named in its files: getSecret("x")' },
    variables: { ...NAMES, description: 'Variables named in its files: getVariable("x")' },
  },
} as const;

/** The values of the secrets and variables asked for that exist (a missing one is left out). */
export const RUN_VALUES = {
  title: "RunValues",
  type: "object",
  additionalProperties: false,
  required: ["secrets", "variables"],
  properties: {
    secrets: { type: "object", additionalProperties: { type: "string" } },
    variables: { type: "object", additionalProperties: { type: "string" } },
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

/** The states a worker may propose for a run it holds. */
export const REPORTABLE_TYPES = [
  "SCHEDULED",
  "RUNNING",
  "COMPLETED",
  "FAILED",
  "CRASHED",
  "CANCELLED",
  "PAUSED",
] as const;

/** POST /api/workers/:id/runs/:run/state: the state a worker proposes, and what it knows. */
export const STATE_REPORT = {
  title: "StateReport",
  type: "object",
  additionalProperties: false,
  required: ["type"],
  properties: {
    type: { type: "string", enum: REPORTABLE_TYPES },
    name: STATE_NAME,
    message: { type: "string", maxLength: 10_000 },
    exit_code: { type: ["integer", "null"] },
    signal: { type: ["string", "null"], maxLength: 50 },
    // A run's process leads its own group, and a group id below 2 is never one: kill(-1) would
    // signal every process of this user.
    pid: { type: ["integer", "null"], minimum: 2 },
    pid_started: { type: ["string", "null"], maxLength: 100 },
    attempt: {
      type: "integer",
      minimum: 1,
      description:
        "The attempt the report is about (the job's attempt): one of an attempt the run has moved past changes nothing",
    },
    at: {
      type: "string",
      maxLength: 40,
      description:
        "When the state happened on the worker (ISO time): kept, bounded by now and the run's previous state",
    },
  },
} as const;

/** What the server recorded for a reported state. */
export const STATE_RECORDED = {
  title: "StateRecorded",
  type: "object",
  additionalProperties: false,
  required: ["run", "changed"],
  properties: {
    run: RUN,
    changed: { type: "boolean" },
    replaced: { type: "string", description: "Why the proposed state was replaced, when it was" },
    ignored: {
      type: "string",
      description: "Why nothing was recorded: the report was of an attempt the run has moved past",
    },
  },
} as const;

/** POST /api/workers/:id/runs/:run/start: a worker asks to start a run's process. */
export const START_REQUEST = {
  title: "StartRequest",
  type: "object",
  additionalProperties: false,
  required: ["attempt"],
  properties: {
    attempt: { type: "integer", minimum: 1, description: "The job's attempt" },
  },
} as const;

/**
 * The answer to a start: whether the worker may start the process now. Once it may, orch never
 * hands the run to another worker, even if this one is lost before it reports RUNNING.
 */
export const START_ANSWER = {
  title: "StartAnswer",
  type: "object",
  additionalProperties: false,
  required: ["start", "run"],
  properties: {
    start: { type: "boolean" },
    reason: { type: "string", description: "Why it may not (the run moved on: cancelled...)" },
    run: RUN,
  },
} as const;

/** One captured line as a worker sends it (`at`: epoch milliseconds). */
export const LOG_LINE_INPUT = {
  title: "LogLineInput",
  type: "object",
  additionalProperties: false,
  required: ["at", "stream", "line"],
  properties: {
    at: { type: "integer", minimum: 0 },
    stream: { type: "string", enum: LOG_STREAMS },
    line: { type: "string" },
    level: LOG_LEVEL,
    fields: LOG_FIELDS,
  },
} as const;

/** POST /api/workers/:id/runs/:run/logs: an attempt's lines numbered from `first`. */
export const LOG_BATCH = {
  title: "LogBatch",
  type: "object",
  additionalProperties: false,
  required: ["attempt", "first", "lines"],
  properties: {
    attempt: { type: "integer", minimum: 1 },
    first: { type: "integer", minimum: 1 },
    lines: { type: "array", maxItems: 50_000, items: LOG_LINE_INPUT },
  },
} as const;

/** The answer to a log batch: lines stored now, and the attempt's last line number. */
export const LOGS_STORED = {
  title: "LogsStored",
  type: "object",
  additionalProperties: false,
  required: ["stored", "last"],
  properties: {
    stored: { type: "integer", minimum: 0 },
    last: { type: "integer", minimum: 0 },
  },
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

/** A bundle's manifest as GET /api/bundles/:hash serves it. */
export const BUNDLE_MANIFEST = {
  title: "BundleManifest",
  type: "object",
  additionalProperties: false,
  required: ["hash", "files", "size"],
  properties: {
    hash: { type: "string", pattern: CONTENT_HASH.source },
    files: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["path", "hash", "size", "mode"],
        properties: {
          path: { type: "string" },
          hash: { type: "string", pattern: CONTENT_HASH.source },
          size: { type: "integer", minimum: 0 },
          mode: { type: "integer", minimum: 0 },
        },
      },
    },
    size: { type: "integer", minimum: 0 },
  },
} as const;

export type WorkerRegistration = Wire<typeof WORKER_REGISTRATION>;
export type WorkerRegistered = Wire<typeof WORKER_REGISTERED>;
export type HeartbeatResponse = Wire<typeof HEARTBEAT_RESPONSE>;
export type ClaimRequestJson = Wire<typeof CLAIM_REQUEST>;
export type WorkerJob = Wire<typeof WORKER_JOB>;
export type RunValuesRequest = Wire<typeof RUN_VALUES_REQUEST>;
export type RunValuesJson = Wire<typeof RUN_VALUES>;
export type ClaimResponseJson = Wire<typeof CLAIM_RESPONSE>;
export type StateReportJson = Wire<typeof STATE_REPORT>;
export type StateRecorded = Wire<typeof STATE_RECORDED>;
export type StartRequestJson = Wire<typeof START_REQUEST>;
export type StartAnswer = Wire<typeof START_ANSWER>;
export type LogLineInput = Wire<typeof LOG_LINE_INPUT>;
export type LogBatchJson = Wire<typeof LOG_BATCH>;
export type LogsStored = Wire<typeof LOGS_STORED>;
export type WorkerOffline = Wire<typeof WORKER_OFFLINE>;
export type BundleManifestJson = Wire<typeof BUNDLE_MANIFEST>;
