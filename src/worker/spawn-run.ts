import { existsSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { isAbsolute } from "node:path";
import {
  describeSpawnError,
  epochMs,
  type LaunchedProcess,
  spawnLauncher,
} from "./launch-process.ts";
import { createLogCapture } from "./log-capture.ts";
import { type PreparedCommand, prepareCommand } from "./prepare-command.ts";
import { processStartTime } from "./process-tree.ts";
import { runFolder } from "./run-folder.ts";
import type {
  RunCallbacks,
  RunExit,
  RunHandle,
  RunJob,
  RunnerOptions,
  RunStart,
} from "./run-job.ts";
import { stopRunProcesses } from "./run-processes.ts";
import { sweepRun, trackRun, untrackRun } from "./subreaper.ts";
import type { Workdirs } from "./workdirs.ts";

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
  const failed = (error: string, mayPass = false): RunHandle => ({
    pid: null,
    cancel() {},
    stop() {},
    exited: Promise.resolve({
      exitCode: null,
      signal: null,
      timedOut: false,
      cancelled: false,
      error,
      ...(mayPass ? { mayPass } : {}),
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
  const cwd = runFolder(job);
  if ((job.spec.cwd || ".") !== "." && (!existsSync(cwd) || !statSync(cwd).isDirectory())) {
    removeScratch();
    return failed(
      isAbsolute(cwd)
        ? `the working directory ${cwd} does not exist on ${hostname()} (an absolute cwd: names a folder of the machine that runs it)`
        : `the working directory ${job.spec.cwd} does not exist in the deployment's files`,
      isAbsolute(cwd),
    );
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
    return failed(describeSpawnError(argv[0]!, error), true);
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
      return {
        exitCode: null,
        signal: null,
        timedOut,
        cancelled,
        error: spawnError,
        mayPass: true,
      };
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
