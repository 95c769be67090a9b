import { hostname } from "node:os";
import { dirname, join } from "node:path";
import type { WorkerClient } from "../client/index.ts";
import {
  type ProposedState,
  type StateReportJson,
  toOrchError,
  type WorkerJob,
  type WorkerRegistered,
} from "../core/index.ts";
import type { RunOutcome } from "../store/index.ts";
import { createBackoff } from "./backoff.ts";
import { createBundleCache } from "./bundle-cache.ts";
import type { WorkerLogger } from "./embedded-worker.ts";
import { finalState } from "./final-state.ts";
import { createLink } from "./link.ts";
import { createReportQueue, isRetryable } from "./report-queue.ts";
import { type RunHandle, type RunnerOptions, spawnRun } from "./spawn-run.ts";
import { createWorkdirs } from "./workdirs.ts";

export interface RemoteWorkerOptions {
  /** The worker protocol over the API (createWorkerClient). */
  client: WorkerClient;
  pool: string;
  /** Shown in listings. Default "remote". */
  name?: string;
  /** Runs at once. Default 8. */
  concurrency?: number;
  /** Where downloaded bundles are cached (content-addressed, kept across restarts). */
  bundlesDir: string;
  /** The working directory of a version that has no files. */
  workDir: string;
  /** Given to runs as ORCH_API_TOKEN. */
  token?: string;
  /** Between SIGTERM and SIGKILL when a run's processes are stopped. Default 5000. */
  graceMs?: number;
  /** How long one claim waits for work before asking again. Default 20 s. */
  claimWaitMs?: number;
  logger?: WorkerLogger;
  /** How runs start orch itself for TypeScript flows. Default: this executable. */
  selfCommand?: string[];
  /** The environment runs inherit. Default process.env. */
  env?: Record<string, string | undefined>;
  spawn?: typeof Bun.spawn;
}

/** A running remote worker. */
export interface RemoteWorker {
  /** Its id on the server (a new one if the server marked it offline and it registered again). */
  readonly id: string;
  /** Run ids it is executing now. */
  active(): string[];
  /** Stop taking runs and let the running ones finish; resolves once offline. Safe twice. */
  drain(): Promise<void>;
  /** Stop taking runs and stop the running ones (they end CRASHED); resolves once offline. */
  stop(): Promise<void>;
}

interface Held {
  attempt: number;
  /** Told to cancel (the server knows we know). */
  told: boolean;
}

interface Execution {
  job: WorkerJob;
  /** The id the run was claimed under: its reports go there. */
  workerId: string;
  handle: RunHandle | null;
  cancelRequested: boolean;
  /** The server marked us offline and crashed it: stop it, whatever it was doing. */
  orphaned: boolean;
}

/** Errors of a claim or heartbeat that mean the server no longer knows us as online. */
function isGone(error: unknown): boolean {
  const code = toOrchError(error).code;
  return code === "E_NOT_FOUND" || code === "E_CONFLICT";
}

/** Errors at registration worth waiting out (no server yet), as opposed to a wrong token. */
function isUnreachable(error: unknown): boolean {
  const e = toOrchError(error);
  return e.code === "E_NO_SERVER" || e.code === "E_INTERNAL" || e.status >= 500;
}

/**
 * Start a worker for a pool of a server it reaches only through the API: it registers, then
 * keeps one claim open (a long poll the server answers the moment a run is due or a run of ours
 * is cancelled), heartbeats, downloads each version's bundle once, and runs jobs with the same
 * runner as the embedded worker. States and log lines go through an ordered outbox that survives
 * the server going away: while it is down runs go on, and it gets everything, once, when back.
 */
export async function startRemoteWorker(options: RemoteWorkerOptions): Promise<RemoteWorker> {
  const { client } = options;
  const logger = options.logger ?? { info() {}, warn() {}, error() {} };
  const concurrency = Math.min(1000, Math.max(1, options.concurrency ?? 8));
  const claimWaitMs = options.claimWaitMs ?? 20_000;
  const host = hostname();
  const name = options.name ?? "remote";
  const runsDir = join(dirname(options.bundlesDir), "runs");
  const workdirs = createWorkdirs(runsDir);
  const link = createLink(logger, client.url);
  const stopAbort = new AbortController();
  /** Aborted when the worker stops taking runs: ends its waits. */
  const takeAbort = new AbortController();
  const runner: RunnerOptions = {
    graceMs: options.graceMs ?? 5000,
    apiUrl: client.url,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.selfCommand ? { selfCommand: options.selfCommand } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.spawn ? { spawn: options.spawn } : {}),
    // Next to the bundle cache: each attempt's own working folder.
    workdirs,
  };
  const bundles = createBundleCache(options.bundlesDir, client);
  const queue = createReportQueue(
    {
      state: (workerId, runId, report) => client.reportState(workerId, runId, report),
      logs: (workerId, runId, batch) => client.appendLogs(workerId, runId, batch),
    },
    { logger, link },
  );

  const register = async (): Promise<WorkerRegistered> => {
    const backoff = createBackoff();
    for (;;) {
      try {
        const registered = await client.register({
          name,
          pool: options.pool,
          host,
          concurrency,
          pid: process.pid,
        });
        link.up();
        return registered;
      } catch (error) {
        if (!isUnreachable(error) || takeAbort.signal.aborted) throw error;
        link.down(error);
        await backoff.wait(takeAbort.signal);
      }
    }
  };

  let me = await register();
  const holding = new Map<string, Held>();
  const executions = new Map<string, Execution>();
  let taking = true;
  let shuttingDown = false;
  let claimAbort: AbortController | null = null;
  let claimLimit = 0;
  let heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  let reregistering: Promise<void> | null = null;

  /** Hold a run until its last state is delivered; a newer attempt replaces an older entry. */
  const hold = (runId: string, attempt: number, told = false): Held => {
    const entry = { attempt, told };
    holding.set(runId, entry);
    return entry;
  };
  const release = (runId: string, entry: Held) => {
    if (holding.get(runId) === entry) holding.delete(runId);
  };

  /** Send a run's last state; the run is let go once the server has it (or refused it). */
  const reportFinal = (
    exec: { workerId: string },
    runId: string,
    entry: Held,
    state: ProposedState,
    outcome: RunOutcome = {},
  ) => {
    const report: StateReportJson = {
      type: state.type,
      ...(state.name ? { name: state.name } : {}),
      ...(state.message !== undefined ? { message: state.message } : {}),
      ...(outcome.exitCode !== undefined ? { exit_code: outcome.exitCode } : {}),
      ...(outcome.signal !== undefined ? { signal: outcome.signal } : {}),
    };
    void queue.state(exec.workerId, runId, report).then(() => release(runId, entry));
  };

  /** A slot was freed: a claim waiting with fewer slots than we now have is asked again. */
  const wakeClaim = () => {
    if (claimAbort && taking && claimLimit < concurrency - executions.size) claimAbort.abort();
  };

  const execute = async (exec: Execution, entry: Held) => {
    const { job } = exec;
    const runId = job.run_id;
    let bundleDir = options.workDir;
    if (job.bundle) {
      const backoff = createBackoff();
      for (;;) {
        try {
          bundleDir = await bundles(job.bundle);
          break;
        } catch (error) {
          if (exec.cancelRequested || shuttingDown || exec.orphaned) break;
          if (isRetryable(error)) {
            link.down(error);
            await backoff.wait(takeAbort.signal);
            continue;
          }
          reportFinal(exec, runId, entry, {
            type: "FAILED",
            message: `could not download the version's files: ${(error as Error).message}`,
          });
          return;
        }
      }
    }
    if (exec.cancelRequested) {
      reportFinal(exec, runId, entry, {
        type: "CANCELLED",
        message: "cancelled before its process started",
      });
      return;
    }
    if (shuttingDown || exec.orphaned) {
      reportFinal(exec, runId, entry, {
        type: "SCHEDULED",
        message: `worker ${name} on ${host} stopped before this run started; it will start again`,
      });
      return;
    }
    const handle = spawnRun(
      {
        runId,
        deployment: job.deployment,
        spec: job.spec,
        parameters: job.parameters,
        bundleDir,
        inPlace: !job.bundle,
        attempt: job.attempt,
      },
      {
        onStarted: ({ pid, pidStarted }) => {
          void queue.state(exec.workerId, runId, {
            type: "RUNNING",
            message: `pid ${pid}, attempt ${job.attempt}, worker ${name} on ${host}`,
            pid,
            pid_started: pidStarted,
          });
        },
        onLogs: (lines) => queue.logs(exec.workerId, runId, job.attempt, lines),
      },
      runner,
    );
    exec.handle = handle;
    if (exec.cancelRequested) handle.cancel();
    else if (shuttingDown || exec.orphaned) handle.stop();
    const exit = await handle.exited;
    const [state, outcome] = finalState(
      exit,
      job.spec.timeout_ms,
      handle.pid,
      shuttingDown || exec.orphaned,
      exec.cancelRequested,
    );
    reportFinal(exec, runId, entry, state, outcome);
  };

  const start = (job: WorkerJob) => {
    const runId = job.run_id;
    const known = holding.get(runId);
    if (known && known.attempt >= job.attempt) return; // delivered twice
    const entry = hold(runId, job.attempt);
    const exec: Execution = {
      job,
      workerId: me.id,
      handle: null,
      cancelRequested: false,
      orphaned: false,
    };
    if (!taking) {
      // Stopping: give it back at once.
      reportFinal(exec, runId, entry, {
        type: "SCHEDULED",
        message: `worker ${name} on ${host} is stopping; it will start again`,
      });
      return;
    }
    executions.set(runId, exec);
    void execute(exec, entry)
      .catch((error) => {
        logger.error(`run ${runId}:`, error);
        reportFinal(exec, runId, entry, {
          type: "CRASHED",
          message: `the worker failed: ${(error as Error).message}`,
        });
      })
      .finally(() => {
        executions.delete(runId);
        wakeClaim();
        settle();
      });
  };

  const cancel = (runId: string) => {
    const entry = holding.get(runId);
    if (entry?.told) return;
    if (entry) {
      entry.told = true;
      const exec = executions.get(runId);
      if (exec) {
        exec.cancelRequested = true;
        exec.handle?.cancel();
      }
      return;
    }
    // Claimed for us, never delivered (an answer lost with a connection): nothing to stop.
    const told = hold(runId, 0, true);
    reportFinal({ workerId: me.id }, runId, told, {
      type: "CANCELLED",
      message: `cancelled before worker ${name} on ${host} received it`,
    });
  };

  /** The server no longer knows us as online: our runs there were crashed; stop them, rejoin. */
  const rejoin = (error: unknown) => {
    reregistering ??= (async () => {
      logger.warn(
        `orch no longer counts this worker as online (${(error as Error).message}); stopping its runs and registering again`,
      );
      for (const exec of executions.values()) {
        if (exec.workerId !== me.id) continue;
        exec.orphaned = true;
        exec.handle?.stop();
      }
      me = await register();
      logger.info(`registered again as worker ${me.id}`);
    })().finally(() => {
      reregistering = null;
    });
    return reregistering;
  };

  const heartbeat = async () => {
    heartbeatTimer = undefined;
    try {
      const { cancel: ids } = await client.heartbeat(me.id);
      link.up();
      for (const id of ids) cancel(id);
    } catch (error) {
      if (isGone(error)) await rejoin(error).catch(() => {});
      else if (isRetryable(error)) link.down(error);
      else logger.warn("heartbeat failed:", (error as Error).message);
    }
    if (!stopAbort.signal.aborted) heartbeatTimer = setTimeout(heartbeat, me.heartbeat_ms);
  };
  heartbeatTimer = setTimeout(heartbeat, me.heartbeat_ms);

  const claimLoop = async () => {
    const backoff = createBackoff();
    while (taking) {
      if (reregistering) await reregistering.catch(() => {});
      const limit = Math.max(0, concurrency - executions.size);
      const abort = new AbortController();
      claimAbort = abort;
      claimLimit = limit;
      try {
        const answer = await client.claim(
          me.id,
          {
            limit,
            wait_ms: claimWaitMs,
            held: [...holding.keys()],
            cancelling: [...holding].filter(([, h]) => h.told).map(([id]) => id),
          },
          abort.signal,
        );
        link.up();
        backoff.reset();
        for (const id of answer.cancel) cancel(id);
        for (const job of answer.jobs) start(job);
      } catch (error) {
        if (abort.signal.aborted) continue;
        if (isGone(error)) {
          await rejoin(error).catch(() => {});
          continue;
        }
        if (isRetryable(error)) link.down(error);
        else logger.error("claiming runs failed:", (error as Error).message);
        await backoff.wait(takeAbort.signal);
      } finally {
        claimAbort = null;
      }
    }
  };
  const claiming = claimLoop();

  let idle: (() => void) | null = null;
  const settle = () => {
    if (executions.size === 0) idle?.();
  };
  const allDone = () =>
    executions.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (idle = resolve));

  let stopping: Promise<void> | null = null;
  const finish = () => {
    stopping ??= (async () => {
      taking = false;
      takeAbort.abort();
      claimAbort?.abort();
      await claiming;
      await allDone();
      await queue.drained();
      stopAbort.abort();
      clearTimeout(heartbeatTimer);
      try {
        await client.offline(me.id);
      } catch (error) {
        logger.warn(`could not tell orch this worker stopped: ${(error as Error).message}`);
      }
      queue.close();
      workdirs.dispose();
    })();
    return stopping;
  };

  return {
    get id() {
      return me.id;
    },
    active: () => [...executions.keys()],
    drain: finish,
    stop() {
      shuttingDown = true;
      for (const exec of executions.values()) exec.handle?.stop();
      return finish();
    },
  };
}
