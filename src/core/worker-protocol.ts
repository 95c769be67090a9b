import type { DeploymentSpec } from "./deployment.ts";
import type { StateName, StateType } from "./states.ts";

/**
 * The JSON shapes of the worker protocol: what a remote worker (or `orch flow run`) and the
 * server say to each other over /api/workers/… and /api/bundles/…
 */

/** POST /api/workers: a worker says who it is. */
export interface WorkerRegistration {
  name: string;
  pool: string;
  host: string;
  concurrency: number;
  pid?: number | null;
}

/** The answer to a registration: the worker's id and how often it must heartbeat. */
export interface WorkerRegistered {
  id: string;
  name: string;
  pool: string;
  heartbeat_ms: number;
  stale_after_ms: number;
}

/** POST /api/workers/:id/claim: free slots, how long to wait, and the runs the worker holds. */
export interface ClaimRequestJson {
  /** Runs to claim at most (the worker's free slots); 0 only waits for cancels. */
  limit: number;
  /** Wait up to this long for work (or a cancel) before answering with nothing. */
  wait_ms?: number;
  /** Runs the worker holds (running, or with states not yet delivered). */
  held?: string[];
  /** Of those, the ones it was already told to cancel. */
  cancelling?: string[];
}

/** One attempt of a run for a worker to execute. */
export interface WorkerJob {
  run_id: string;
  deployment: string;
  version: number;
  /** The attempt this will be (1 for the first). */
  attempt: number;
  /** The run's parameters with the deployment's defaults merged in. */
  parameters: Record<string, unknown>;
  spec: DeploymentSpec;
  /** The version's bundle (GET /api/bundles/:hash), or null when it has no files. */
  bundle: string | null;
}

/** The answer to a claim: new (or undelivered) jobs, and runs to cancel. */
export interface ClaimResponseJson {
  jobs: WorkerJob[];
  cancel: string[];
}

/** POST /api/workers/:id/runs/:run/state: the state a worker proposes, and what it knows. */
export interface StateReportJson {
  type: StateType;
  name?: StateName;
  message?: string;
  exit_code?: number | null;
  signal?: string | null;
  pid?: number | null;
  pid_started?: string | null;
}

/** One captured line as a worker sends it (`at`: epoch milliseconds). */
export interface LogLineInput {
  at: number;
  stream: "stdout" | "stderr" | "orch";
  line: string;
}

/** POST /api/workers/:id/runs/:run/logs: an attempt's lines numbered from `first`. */
export interface LogBatchJson {
  attempt: number;
  first: number;
  lines: LogLineInput[];
}

/** A bundle's manifest as GET /api/bundles/:hash serves it. */
export interface BundleManifestJson {
  hash: string;
  files: { path: string; hash: string; size: number; mode: number }[];
  size: number;
}

/** Content hashes (of bundles and their objects) are lower-case sha256 hex. */
export const CONTENT_HASH = /^[0-9a-f]{64}$/;
