/**
 * One attempt of a flow run as the runners see it (spawnRun for a process, runContainer for a
 * docker pool's): the job, how runners start it, what they report and how it ended.
 */
import type {
  DeploymentSpec,
  FlowOptionsRecord,
  Infrastructure,
  ReferenceValues,
} from "../core/index.ts";
import type { DockerEngine } from "./docker/engine.ts";
import type { Launcher } from "./launch-process.ts";
import type { CapturedLine } from "./log-capture.ts";
import type { Workdirs } from "./workdirs.ts";

/** Everything needed to run one attempt of a flow run; no store involved. */
export interface RunJob {
  runId: string;
  deployment: string;
  spec: DeploymentSpec;
  /** The run's parameters (the deployment's defaults already merged in). */
  parameters: Record<string, unknown>;
  /** The version's files: cwd and flow paths are relative to it. */
  bundleDir: string;
  /** Which attempt this is (1 for the first). */
  attempt: number;
  /** Run in bundleDir itself, not a copy (a version with no files of its own runs in the project). */
  inPlace?: boolean;
  /** The secrets and variables its version names, by name (see spec.secrets, spec.variables). */
  values?: ReferenceValues;
  /** The time the run is for (its slot), ISO: ORCH_SCHEDULED_AT and {{ run.scheduled_at }}. */
  scheduledAt?: string;
  /** Where it runs (its pool's type and job); a process when left out. */
  infrastructure?: Infrastructure;
  /**
   * With no spec.timeout_ms, time the attempt out after the timeout its flow reports as it
   * starts (counted from the process's start): an ad-hoc run, whose flow is not read beforehand.
   */
  timeoutFromFlow?: boolean;
}

/** How the runner starts processes. */
export interface RunnerOptions {
  apiUrl?: string;
  token?: string;
  /** Between SIGTERM and SIGKILL when a run is stopped. Default 5000. */
  graceMs?: number;
  /** Output kept per run, in characters. Default 100 MB. */
  maxLogChars?: number;
  /** How to start orch itself, for TypeScript flows. Default: selfCommand(). */
  selfCommand?: string[];
  /** The environment runs inherit. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Where each attempt gets its own working folder; without, runs work in the version's folder. */
  workdirs?: Workdirs;
  /** The project's folder, given to runs as ORCH_PROJECT_DIR (a place for lasting output). */
  projectDir?: string;
  /** Time stamps of log lines. Default Date.now. */
  now?: () => number;
  spawn?: typeof Bun.spawn;
  /** How processes are started (default: spawnLauncher(spawn), on this thread). */
  launch?: Launcher;
  /** Who runs it, for a container's labels: the worker's id and host. */
  workerId?: string;
  host?: string;
  /** The Docker Engine for docker pools' runs. Default: DOCKER_HOST or the default socket. */
  docker?: DockerEngine;
  /** The API's address as containers on the bridge network reach it (see createApiGateway). */
  containerApiUrl?: () => Promise<string>;
}

/** The process started: its pid and start identity (to tell a reused pid apart later). */
export interface RunStart {
  pid: number;
  /**
   * For a process started on this thread, read on first use (see startOf in spawn-run.ts): whoever
   * records it late reads it late, or not at all once the process has ended.
   */
  readonly pidStarted: string | null;
  /** The container it runs in (a docker pool's run): its short id. */
  container?: string;
}

/** How an attempt ended. */
export interface RunExit {
  exitCode: number | null;
  signal: string | null;
  /** Stopped by orch because spec.timeout_ms passed. */
  timedOut: boolean;
  /** Stopped by orch because the run was cancelled. */
  cancelled: boolean;
  /** Set when no process could be started (command not found, bad parameters...). */
  error?: string;
  /**
   * No process started, for a reason that may pass (the command not found or not executable, an
   * absolute cwd missing: a PATH or a mount may come back): retried like a failure.
   */
  mayPass?: boolean;
  /** Set when the infrastructure failed under a started run (its container vanished): CRASHED. */
  lost?: string;
  /** The last signal orch sent to stop it, if it did. */
  stoppedWith?: string;
  /** The message a TypeScript flow failed with (its thrown error's), when it said. */
  failure?: string;
  /** The timeout it had, when its flow reported it (see RunJob.timeoutFromFlow). */
  timeoutMs?: number;
  /** It ran in a container (for messages: "its container was stopped"). */
  container?: boolean;
}

/** What the runner reports, as it happens. */
export interface RunCallbacks {
  onStarted?(start: RunStart): void;
  /** A batch of lines (one per read of a pipe); order within and across batches is kept. */
  onLogs?(lines: CapturedLine[]): void;
  /** A TypeScript flow reported the options it declares (its timeout, retries) as it started. */
  onFlowOptions?(options: FlowOptionsRecord): void;
}

/** A started attempt. */
export interface RunHandle {
  /** The process (and process group) id, or null when it could not start. */
  readonly pid: number | null;
  /** Stop the whole process tree (SIGTERM, grace, SIGKILL) and report `cancelled`. */
  cancel(): void;
  /** Stop the whole process tree without marking it cancelled (orch is shutting down). */
  stop(): void;
  /** How it ended, once the process is gone and its output read. */
  readonly exited: Promise<RunExit>;
  /** Settles once the process has started (onStarted was called) or could not start. */
  readonly ready?: Promise<void>;
}
