import { availableParallelism, hostname } from "node:os";
import {
  type EventRow,
  ensureWorkPool,
  getWorkPool,
  heartbeatWorker,
  type LogLine,
  type RunRow,
  registerWorker,
  setWorkerOffline,
} from "../store/index.ts";
import { cancelRun } from "./cancel-run.ts";
import { createApiGateway } from "./docker/api-gateway.ts";
import { checkDocker } from "./docker/check-docker.ts";
import { createDockerEngine } from "./docker/engine.ts";
import { createContainerRecovery } from "./docker/reconcile.ts";
import type { EmbeddedWorker, EmbeddedWorkerOptions } from "./embedded-worker-options.ts";
import { type Attempt, executeAttempt } from "./execute-attempt.ts";
import { createThreadLauncher, type Launcher, spawnLauncher } from "./launch-process.ts";
import { createJobLoader } from "./load-job.ts";
import { createReaper } from "./reap-stale-workers.ts";
import { recoverRuns } from "./recover-runs.ts";
import type { RunnerOptions } from "./run-job.ts";
import { stopWithGrace } from "./stop-with-grace.ts";
import { createWorkdirs, type Workdirs } from "./workdirs.ts";
import { createClaims } from "./worker-claims.ts";
import { quietLogger } from "./worker-logger.ts";
import { createWriteBatcher, flushUntilWritten } from "./write-batcher.ts";

export type { WorkerLogger } from "./worker-logger.ts";

/**
 * Whether runs' processes are best started on a thread of their own. Why not always: a spawn
 * holds the calling thread until the child has replaced itself with the command (vfork), a
 * quarter of a millisecond a run that the thread takes off the server's; but the thread costs as
 * much CPU again, passing each process's start, output and end back. With two cores that CPU is
 * taken from the runs themselves: 500 runs at once went 5-8% faster and cost the server 15% less
 * CPU on the server's thread alone (measured side by side, `true` at concurrency 8). With more,
 * the server's thread is what bounds how many runs start per second, and the thread frees it.
 */
export function spawnsOnThread(cores = availableParallelism()): boolean {
  return cores > 2;
}

/**
 * Start the worker that `orch up` runs in-process for a pool: it registers and heartbeats, crashes
 * what a previous orch left running (recoverRuns), then claims due runs whenever something may
 * have changed (a run scheduled, a run finished, a slot freed: store events, at once) or the
 * next scheduled run falls due (one timer). Idle, it waits on nothing but those.
 */
export async function startEmbeddedWorker(options: EmbeddedWorkerOptions): Promise<EmbeddedWorker> {
  const { store } = options;
  const clock = options.clock ?? store.clock;
  const logger = options.logger ?? quietLogger;
  const pool = options.pool ?? "default";
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const graceMs = options.graceMs ?? 5000;
  const host = hostname();
  const id = crypto.randomUUID();

  ensureWorkPool(store, pool);
  registerWorker(store, { id, name: "embedded", pool, host, pid: process.pid, concurrency });
  let engine = options.docker;
  const docker = () => {
    engine ??= createDockerEngine(options.env ?? process.env);
    return engine;
  };
  if (options.recover !== false) {
    await recoverRuns(store, {
      workerId: id,
      host,
      graceMs,
      logger,
      containers: createContainerRecovery(store, docker),
    });
  }
  if (getWorkPool(store, pool)?.type === "docker")
    await checkDocker(store, pool, docker(), host, logger);
  // After recovery (leftover processes are stopped first): folders of workers that are gone go.
  // Started on a first container run on the bridge, stopped with the worker.
  const gateway = createApiGateway(docker(), {
    ...(options.apiUrl !== undefined ? { apiUrl: options.apiUrl } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
    warn: (message) => logger.warn(message),
  });
  const workdirs: Workdirs | null = options.runsDir ? createWorkdirs(options.runsDir) : null;
  // Runs' processes start on a thread of their own while others run, where that pays (see
  // spawnsOnThread), unless a test passes its own spawn. A run alone starts on this thread: the
  // server then has nothing else to do meanwhile, and the thread's two hops (there and back)
  // would only add to its time to start and end.
  const thread =
    options.spawn || !(options.spawnThread ?? spawnsOnThread()) ? null : createThreadLauncher();
  const direct = spawnLauncher();
  // A run whose attempt is being started (its process may start at once: see start).
  let starting = 0;
  const launcher = thread && {
    launch: ((request) =>
      executions.size + starting > 1 ? thread.launch(request) : direct(request)) satisfies Launcher,
    stop: thread.stop,
  };

  const runner: RunnerOptions = {
    graceMs,
    now: () => clock.now(),
    ...(options.apiUrl !== undefined ? { apiUrl: options.apiUrl } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.maxLogChars !== undefined ? { maxLogChars: options.maxLogChars } : {}),
    ...(options.selfCommand ? { selfCommand: options.selfCommand } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.spawn ? { spawn: options.spawn } : {}),
    ...(launcher ? { launch: launcher.launch } : {}),
    ...(workdirs ? { workdirs } : {}),
    ...(options.workDir ? { projectDir: options.workDir } : {}),
    workerId: id,
    host,
    docker: docker(),
    containerApiUrl: () => gateway.url(),
  };
  const loadJob = createJobLoader(
    store,
    options.bundlesDir,
    options.workDir ?? process.cwd(),
    options.values,
  );
  const runIds = new Map<number, string>();
  const executions = new Map<string, Attempt>();
  const writes = createWriteBatcher(store, {
    ...(options.runningWindowMs !== undefined ? { runningWindowMs: options.runningWindowMs } : {}),
    onLogs: options.onLogs
      ? (batches) => {
          for (const [seq, lines] of batches) {
            const runId = runIds.get(seq);
            if (runId) options.onLogs?.(runId, lines);
          }
        }
      : undefined,
    // A RUNNING refused is a run cancelled while it started: its attempt is stopped (see
    // `report.running`), which is no news for the log.
    onRefused: (runId, error, state) => {
      if (state.type !== "RUNNING") logger.warn(`run ${runId}: ${(error as Error).message}`);
    },
    onError: (error) => {
      logger.error("could not record runs' states and logs; trying again in 1 s:", error);
      claims.lookAt(clock.now() + 1000);
    },
    inFlush: (states) => claims.inFlush(states),
  });

  const start = (run: RunRow) => {
    runIds.set(run.seq, run.id);
    // Its process starts within this call when its version's files are ready (loadJob): before
    // the caller's answer and the rest of the turn, which then overlap the child's start.
    starting++;
    let attempt: Attempt;
    try {
      attempt = executeAttempt({
        prepare: () => loadJob(run),
        runner,
        logger,
        // Each state is stamped when it happened: the batcher may write it a moment later.
        report: {
          running: (state, outcome) => {
            const at = clock.now();
            // Its outcome is read when it is written (its process's start time: see RunStart).
            writes.transition(
              run.id,
              state,
              () => ({ ...outcome, at }),
              (started) => {
                // Cancelled while it was starting: the RUNNING was refused.
                if (started?.state_type === "CANCELLING") attempt.cancel();
              },
            );
          },
          logs: (lines) => writes.logs(run.seq, lines as LogLine[]),
          // The slot is free before the state's event goes out.
          // A paused run may be resumed and started again before its last process is seen to
          // end: that attempt's end frees its own slot only, and its state changes nothing.
          final: (state, outcome) => {
            if (executions.get(run.id) === attempt) executions.delete(run.id);
            writes.transition(run.id, state, { ...outcome, at: clock.now() });
          },
        },
      });
    } finally {
      starting--;
    }
    executions.set(run.id, attempt);
    void attempt.done.finally(() => {
      if (!executions.has(run.id)) runIds.delete(run.seq);
    });
  };

  const claims = createClaims({
    store,
    clock,
    logger,
    pool,
    workerId: id,
    concurrency,
    running: () => executions.size,
    start,
    schedule: () => writes.schedule(),
    flushing: () => writes.flushing,
  });

  const onEvent = (event: EventRow) => {
    if (event.name === "flow-run.cancelling" && event.resource) {
      executions.get(event.resource)?.cancel();
      return;
    }
    claims.onEvent(event);
  };
  const unsubscribe = store.subscribe(onEvent);

  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const reap = createReaper(store, {
    staleAfterMs: options.staleAfterMs ?? 30_000,
    periodMs: heartbeatMs,
    exceptId: id,
    logger,
  });
  const heartbeat = setInterval(() => {
    try {
      if (!heartbeatWorker(store, id))
        logger.warn(
          `worker ${id} was marked offline; its runs were crashed or put back in the queue`,
        );
      reap();
    } catch (error) {
      logger.error("heartbeat failed:", error);
    }
  }, heartbeatMs);

  claims.wake();

  let stopping: Promise<void> | null = null;
  /** Stop claiming; once every run has ended, go offline. */
  const finish = () => {
    stopping ??= (async () => {
      claims.stop();
      // Cancels may still arrive while runs end: the worker listens until the last one ends.
      while (executions.size) await Promise.all([...executions.values()].map((e) => e.done));
      unsubscribe();
      clearInterval(heartbeat);
      // The true endings must be written before going offline; a store that fails for longer
      // than this leaves them to the next start's recovery (CRASHED), which the log says.
      const lost = await flushUntilWritten(writes, Math.max(graceMs, 5000));
      if (lost.length)
        logger.error(
          `could not record these states before stopping (the next start crashes them): ${lost.join(", ")}`,
        );
      setWorkerOffline(store, id);
      workdirs?.dispose();
      launcher?.stop();
      gateway.stop();
    })();
    return stopping;
  };
  return {
    id,
    wake: claims.wake,
    claimNow: claims.claimNow,
    startAs: claims.startAs,
    cancel: (runId) => cancelRun(store, runId),
    settle: (runId) => writes.settle(runId),
    active: () => [...executions.keys()],
    stop: (stop = {}) =>
      stopWithGrace(finish(), () => executions.values(), stop, "orch was stopped"),
    drain: finish,
  };
}
