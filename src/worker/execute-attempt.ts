import {
  createMasker,
  type FlowOptionsRecord,
  type Masker,
  type ProposedState,
} from "../core/index.ts";
import type { RunOutcome } from "../store/index.ts";
import { runContainer } from "./docker/run-container.ts";
import { type AttemptEnding, finalState } from "./final-state.ts";
import type { CapturedLine } from "./log-capture.ts";
import type { RunHandle, RunJob, RunnerOptions } from "./run-job.ts";
import { spawnRun } from "./spawn-run.ts";
import type { WorkerLogger } from "./worker-logger.ts";

/**
 * Where an attempt's states and lines go: straight to the store (the embedded worker) or through
 * the API's worker protocol (remote workers, `orch flow run`). The attempt never knows which.
 */
export interface AttemptReporter {
  /** The process started: RUNNING, with its pid. */
  running(state: ProposedState, outcome: RunOutcome): void;
  /** A batch of captured lines, in order. */
  logs(lines: CapturedLine[]): void;
  /** The flow reported the options it declares as it started (only `orch flow run` asks). */
  flowOptions?(options: FlowOptionsRecord): void;
  /** The attempt's last state; the attempt is done once what this returns settles. */
  final(state: ProposedState, outcome: RunOutcome): unknown;
}

export interface AttemptOptions {
  /**
   * Get the job ready: the version's spec and files on disk (materialized from the store, or
   * downloaded). Its error's message says what went wrong (the run ends FAILED with it).
   * `signal` aborts when the attempt is cancelled or stopped meanwhile.
   */
  prepare(signal: AbortSignal): RunJob | Promise<RunJob>;
  report: AttemptReporter;
  runner: RunnerOptions;
  /** Who runs it, for RUNNING's message: `worker build on host-1`. */
  where?: string;
  logger?: WorkerLogger;
}

/** One attempt of a run, from preparing its files to reporting how it ended. */
export interface Attempt {
  /** A user cancelled the run: stop its process tree; it ends CANCELLED. */
  cancel(): void;
  /**
   * orch is stopping: stop the process tree now; the run ends CANCELLED with `message`, or, not
   * started yet, SCHEDULED again (another worker, or this one after a restart, takes it).
   */
  stop(message: string): void;
  /** orch gave the run up (its worker was counted as lost): stop the tree; it ends CRASHED. */
  abandon(): void;
  /** Resolves once the final state is reported; never rejects (a throw ends the run CRASHED). */
  readonly done: Promise<ProposedState>;
}

/**
 * Execute one attempt of a run: prepare the job, spawn its process tree (spawnRun: the working
 * copy, log capture, the timeout) or start its container (runContainer, for a docker pool), follow cancel and stop requests, decide the final state
 * (finalState) and report it. The embedded worker, remote workers and ad-hoc runs are loops
 * around this; they differ only in how they prepare and where they report.
 */
export function executeAttempt(options: AttemptOptions): Attempt {
  const { report } = options;
  const abort = new AbortController();
  const ending: AttemptEnding = { cancelRequested: false, stoppedBecause: null, abandoned: false };
  let handle: RunHandle | null = null;
  let broken: unknown;
  // Every line and message an attempt stores passes here: the secrets the run received and the
  // API token become ****. Lines are whole when they get here (log capture joins the pieces of
  // a line written in several writes), so a value split across writes is masked too.
  let mask: Masker = createMasker([options.runner.token]);
  let masking = Boolean(options.runner.token);

  const run = async (): Promise<[ProposedState, RunOutcome]> => {
    let job: RunJob | undefined;
    let failure: unknown;
    try {
      // A job ready at once starts its process within this call (no turn of the loop between).
      const prepared = options.prepare(abort.signal);
      job = prepared instanceof Promise ? await prepared : prepared;
    } catch (error) {
      failure = error;
    }
    if (ending.cancelRequested) {
      return [{ type: "CANCELLED", message: "cancelled before its process started" }, {}];
    }
    if (ending.stoppedBecause !== null || ending.abandoned) {
      const why = ending.stoppedBecause ?? "orch gave this run up";
      return [
        { type: "SCHEDULED", message: `${why} before this run started; it will start again` },
        {},
      ];
    }
    if (!job) {
      const message = (failure as Error | undefined)?.message ?? String(failure);
      return [{ type: "FAILED", message: `could not prepare the run: ${message}` }, {}];
    }
    const secrets = Object.values(job.values?.secrets ?? {});
    if (secrets.length) {
      mask = createMasker([...secrets, options.runner.token]);
      masking = true;
    }
    const { attempt } = job;
    const where = options.where ? `, ${options.where}` : "";
    // A docker pool's run starts a container instead of a process, behind the same handle.
    const start = job.infrastructure?.type === "docker" ? runContainer : spawnRun;
    const started = start(
      job,
      {
        onStarted: (start) => {
          const { pid, container } = start;
          const what = container
            ? `container ${container} (${job.infrastructure?.docker?.image})`
            : `pid ${pid}`;
          try {
            report.running(
              { type: "RUNNING", message: `${what}, attempt ${attempt}${where}` },
              {
                pid: pid || null,
                attempt,
                // Read by whoever records it, when it does (see RunStart.pidStarted).
                get pidStarted() {
                  return start.pidStarted;
                },
              },
            );
          } catch (error) {
            // Its process runs but could not be recorded: stop it, end the run CRASHED.
            broken = error;
          }
        },
        onLogs: (lines) => report.logs(masking ? maskLines(lines, mask) : lines),
        ...(report.flowOptions ? { onFlowOptions: report.flowOptions } : {}),
      },
      options.runner,
    );
    handle = started;
    // A launcher on another thread reports the start a moment later.
    await started.ready;
    if (broken !== undefined) {
      started.stop();
      await started.exited;
      throw broken;
    }
    // Asked while its process was starting.
    if (ending.cancelRequested) started.cancel();
    else if (ending.stoppedBecause !== null || ending.abandoned) started.stop();
    const exit = await started.exited;
    const [state, outcome] = finalState(
      exit,
      job.spec.timeout_ms,
      started.pid,
      ending,
      Boolean(job.spec.flow),
    );
    // Its process's end is this attempt's: once the run has started again (resumed, retried),
    // it changes nothing.
    return [state, { ...outcome, attempt }];
  };

  const done = (async (): Promise<ProposedState> => {
    let state: ProposedState;
    let outcome: RunOutcome;
    try {
      [state, outcome] = await run();
    } catch (error) {
      // A bug of ours, not the flow's: say so, and leave no process behind.
      options.logger?.error("an attempt failed:", error);
      const h = handle as RunHandle | null;
      h?.stop();
      await h?.exited.catch(() => {});
      state = { type: "CRASHED", message: `the worker failed: ${(error as Error).message}` };
      outcome = {};
    }
    if (masking && state.message) state = { ...state, message: mask(state.message) };
    try {
      await report.final(state, outcome);
    } catch (error) {
      options.logger?.error(`could not report the final state ${state.type}:`, error);
    }
    return state;
  })();

  return {
    cancel() {
      if (ending.cancelRequested) return;
      ending.cancelRequested = true;
      abort.abort();
      (handle as RunHandle | null)?.cancel();
    },
    stop(message) {
      if (ending.stoppedBecause !== null || ending.cancelRequested) return;
      ending.stoppedBecause = message;
      abort.abort();
      (handle as RunHandle | null)?.stop();
    },
    abandon() {
      if (ending.abandoned) return;
      ending.abandoned = true;
      abort.abort();
      (handle as RunHandle | null)?.stop();
    },
    done,
  };
}

/** `lines` with their text and fields masked (a line that holds nothing to hide is kept as it is). */
export function maskLines(lines: CapturedLine[], mask: Masker): CapturedLine[] {
  return lines.map((l) => {
    const line = mask(l.line);
    let fields = l.fields;
    if (fields) {
      const text = JSON.stringify(fields);
      const masked = mask(text);
      // A mask inside a JSON string keeps it valid JSON (**** has nothing to escape).
      if (masked !== text) fields = JSON.parse(masked) as Record<string, unknown>;
    }
    return line === l.line && fields === l.fields
      ? l
      : { ...l, line, ...(fields ? { fields } : {}) };
  });
}
