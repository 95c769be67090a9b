import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type {
  DeploymentSpec,
  FlowOptionsRecord,
  Infrastructure,
  ReferenceValues,
} from "../core/index.ts";
import type { DockerEngine } from "./docker/engine.ts";
import {
  describeSpawnError,
  epochMs,
  type LaunchedProcess,
  type Launcher,
  spawnLauncher,
} from "./launch-process.ts";
import { type CapturedLine, createLogCapture } from "./log-capture.ts";
import { type PreparedCommand, prepareCommand } from "./prepare-command.ts";
import { processStartTime } from "./process-tree.ts";
import { stopRunProcesses } from "./run-processes.ts";
import { sweepRun, trackRun, untrackRun } from "./subreaper.ts";
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

const DEFAULT_GRACE_MS = 5000;
const DEFAULT_MAX_LOG_CHARS = 100 * 1024 * 1024;
/** How long output pipes may stay open after the process tree is gone (an escaped daemon). */
const PIPE_CLOSE_MS = 2000;

/**
 * Start one attempt of a flow run as a child process in its own process group (setsid through
 * Bun.spawn's `detached`), marked with the run's id and attempt in its environment (see RunMark):
 * a timeout or cancel stops the whole tree, daemons that left the group included. Its stdout and
 * stderr are always read to the end, so a chatty child never blocks; lines come back through
 * `onLogs`. When the main process exits, whatever it left behind is killed (sweepRun): a run's
 * processes do not outlive the run.
 */
export function spawnRun(
  original: RunJob,
  callbacks: RunCallbacks = {},
  options: RunnerOptions = {},
): RunHandle {
  let job = original;
  const launch = options.launch ?? spawnLauncher(options.spawn);
  const now = options.now ?? Date.now;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const failed = (error: string): RunHandle => ({
    pid: null,
    cancel() {},
    stop() {},
    exited: Promise.resolve({
      exitCode: null,
      signal: null,
      timedOut: false,
      cancelled: false,
      error,
    }),
  });

  // Each attempt works in its own copy of the version's files (see createWorkdirs).
  const workdir =
    options.workdirs && !job.inPlace ? tryAcquire(options.workdirs, job.bundleDir) : null;
  if (workdir instanceof Error)
    return failed(`could not prepare the run's folder: ${workdir.message}`);
  const removeScratch = () => {
    if (workdir) options.workdirs?.release(workdir);
  };
  if (workdir) job = { ...job, bundleDir: workdir.path };
  let prepared: PreparedCommand;
  try {
    prepared = prepareCommand(job, options.selfCommand);
  } catch (error) {
    removeScratch();
    return failed((error as Error).message);
  }
  const { argv } = prepared;
  job = prepared.job;
  const cwd = join(job.bundleDir, job.spec.cwd || ".");
  if ((job.spec.cwd || ".") !== "." && (!existsSync(cwd) || !statSync(cwd).isDirectory())) {
    removeScratch();
    return failed(`the working directory ${job.spec.cwd} does not exist in the deployment's files`);
  }
  const mark = { runId: job.runId, attempt: job.attempt };
  const env: Record<string, string | undefined> = {
    ...(options.env ?? process.env),
    ...prepared.env,
    // The flow-run entry ends itself when this process ends (see dieWithParent).
    ORCH_WORKER_PID: String(process.pid),
    ORCH_API_URL: options.apiUrl ?? "",
    ORCH_API_TOKEN: options.token ?? "",
    ...(options.projectDir ? { ORCH_PROJECT_DIR: options.projectDir } : {}),
  };

  let launched: LaunchedProcess | Promise<LaunchedProcess>;
  try {
    launched = launch({ argv, cwd, env });
  } catch (error) {
    removeScratch();
    return failed(describeSpawnError(argv[0]!, error));
  }

  let pid: number | null = null;
  let cancelled = false;
  let timedOut = false;
  let stopWanted = false;
  let stopping: Promise<string | null> | null = null;
  const stopTree = () => {
    // Asked while its process was being started (on the launcher's thread): stopped once it is.
    if (pid === null) stopWanted = true;
    else stopping ??= stopRunProcesses(mark, pid, graceMs);
  };

  // The attempt's timeout, counted from its process's start: the spec's, or the one its flow
  // reports (timeoutFromFlow). `ended`: the process was seen gone, so no timer is armed after.
  let timeoutMs = job.spec.timeout_ms ?? null;
  let startedAt = 0;
  let ended = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const armTimeout = () => {
    if (timeoutMs === null || ended) return;
    const left = Math.max(0, timeoutMs - (epochMs() - startedAt));
    timer = setTimeout(() => {
      timedOut = true;
      stopTree();
    }, left);
  };

  /** The process started: note it, read its output to the end, arm its timeout. */
  const follow = (proc: LaunchedProcess) => {
    pid = proc.pid;
    startedAt = proc.startedAt ?? epochMs();
    trackRun(pid, mark);
    callbacks.onStarted?.(startOf(proc));
    const capture = createLogCapture({
      maxChars: options.maxLogChars ?? DEFAULT_MAX_LOG_CHARS,
      now,
      onLines: (lines) => callbacks.onLogs?.(lines),
      onFlowOptions: (reported) => {
        if (job.timeoutFromFlow && timeoutMs === null && reported.timeout_ms !== undefined) {
          timeoutMs = reported.timeout_ms;
          armTimeout();
        }
        callbacks.onFlowOptions?.(reported);
      },
    });
    const drained = Promise.all([
      drain(proc.stdout, capture.stdout),
      drain(proc.stderr, capture.stderr),
    ]);
    armTimeout();
    if (stopWanted) stopTree();
    return { proc, pid, capture, drained };
  };
  // A launcher on this thread starts the process at once (onStarted before spawnRun returns).
  const followed = launched instanceof Promise ? launched.then(follow) : follow(launched);

  const exited = (async (): Promise<RunExit> => {
    let started: ReturnType<typeof follow>;
    try {
      started = await followed;
    } catch (error) {
      removeScratch();
      const spawnError = describeSpawnError(argv[0]!, error);
      return { exitCode: null, signal: null, timedOut, cancelled, error: spawnError };
    }
    const { proc, capture, drained } = started;
    await proc.exited;
    ended = true;
    // Its own life, as its launcher saw it: this thread may hear of its start and exit late.
    const lived = (proc.exitedAt ?? epochMs()) - startedAt;
    untrackRun(started.pid);
    if (timer) clearTimeout(timer);
    // The main process is gone: end what it left behind, so the pipes close too.
    await sweepRun(mark, started.pid);
    let pipeTimer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      drained,
      new Promise((resolve) => {
        pipeTimer = setTimeout(resolve, PIPE_CLOSE_MS);
      }),
    ]);
    clearTimeout(pipeTimer);
    // A run that outlived its timeout timed out, whichever of its timer and its exit this
    // process heard of first: a busy or stopped process hears of both at once, and the exit can
    // come first (a flow with a 1 ms timeout was recorded COMPLETED). Checked once its output is
    // read: a timeout its flow reported may be read after its exit.
    // Where its launcher stamped its exit, that alone decides: a timer this thread ran late
    // (behind a busy turn) never times out a process that had already ended in time.
    if (timeoutMs !== null && proc.exitedAt !== undefined) timedOut = lived >= timeoutMs;
    else if (timeoutMs !== null && lived >= timeoutMs) timedOut = true;
    const stoppedWith = stopping ? await stopping : null;
    removeScratch();
    return {
      exitCode: proc.exitCode,
      signal: proc.signalCode == null ? null : String(proc.signalCode),
      timedOut,
      cancelled,
      ...(stoppedWith ? { stoppedWith } : {}),
      ...(capture.failure !== null ? { failure: capture.failure } : {}),
      ...(timeoutMs !== null && timeoutMs !== job.spec.timeout_ms ? { timeoutMs } : {}),
    };
  })();

  return {
    get pid() {
      return pid;
    },
    cancel() {
      if (!timedOut) cancelled = true;
      stopTree();
    },
    stop: stopTree,
    exited,
    ready: Promise.resolve(followed).then(
      () => {},
      () => {},
    ),
  };
}

/**
 * A started process as onStarted tells it. Its start time comes from the launcher when the
 * launcher read it (on its own thread); otherwise it is read from /proc on first use, and only
 * while the process has not been collected (a zombie still names it; a collected pid may be
 * another process's). Why not at once: right after a spawn the kernel takes 0.1 ms or more to
 * answer, on the server's thread, while a run alone waits; its RUNNING is written within a few
 * milliseconds (RUNNING_WINDOW_MS), with its end when it is short, and then nothing needs it
 * (only recovery looks at it, for a run still RUNNING).
 */
function startOf(proc: LaunchedProcess): RunStart {
  if (proc.pidStarted !== undefined) return { pid: proc.pid, pidStarted: proc.pidStarted };
  let read: string | null | undefined;
  return {
    pid: proc.pid,
    get pidStarted() {
      read ??=
        proc.exitCode === null && proc.signalCode === null ? processStartTime(proc.pid) : null;
      return read;
    },
  };
}

/** How long output is read before the event loop gets a turn. */
const YIELD_EVERY_MS = 4;

function tryAcquire(workdirs: Workdirs, tree: string) {
  try {
    return workdirs.acquire(tree);
  } catch (error) {
    return error as Error;
  }
}

async function drain(
  stream: ReadableStream<Uint8Array>,
  sink: { push(chunk: Uint8Array): void; end(): void },
): Promise<void> {
  try {
    // A pipe with data always ready resolves every read at once, in microtasks that would starve
    // the event loop (HTTP requests, timers); yield to it every few milliseconds of reading.
    let slice = performance.now();
    for await (const chunk of stream) {
      sink.push(chunk);
      if (performance.now() - slice > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        slice = performance.now();
      }
    }
  } catch {
    // A pipe that errors ends like one that closes.
  } finally {
    sink.end();
  }
}
