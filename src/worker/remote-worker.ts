import { hostname } from "node:os";
import { dirname, join } from "node:path";
import {
  formatDuration,
  keepOutOfGit,
  type OrchError,
  type ProposedState,
  type WorkerJob,
} from "../core/index.ts";
import type { RunOutcome } from "../store/index.ts";
import { createBundleCache } from "./bundle-cache.ts";
import { deliverOrGiveUp } from "./deliver-reports.ts";
import { createJobDownloader } from "./download-job.ts";
import { executeAttempt } from "./execute-attempt.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { createLink } from "./link.ts";
import { defaultWorkerName, isGone, joinOrch } from "./register-worker.ts";
import { runClaimLoop } from "./remote-claim-loop.ts";
import { createRemoteReports } from "./remote-reports.ts";
import { createRemoteRunner } from "./remote-runner.ts";
import { createRemoteRuns, type Held } from "./remote-runs.ts";
import type { RemoteWorker, RemoteWorkerOptions } from "./remote-worker-options.ts";
import { journalDir, openReportJournal } from "./report-journal.ts";
import { resendRecovered } from "./resend-recovered.ts";
import { toStateReport } from "./state-report.ts";
import { stopWithGrace } from "./stop-with-grace.ts";
import { createWorkdirs } from "./workdirs.ts";
import { quietLogger } from "./worker-logger.ts";

/**
 * Start a worker for a pool of a server it reaches only through the API: it registers, then
 * keeps one claim open (a long poll the server answers the moment a run is due or a run of ours
 * is cancelled), heartbeats, downloads each version's bundle once, and runs jobs with the same
 * runner as the embedded worker. States and log lines go through an ordered outbox that survives
 * the server going away: while it is down runs go on, and it gets everything, once, when back.
 */
export async function startRemoteWorker(options: RemoteWorkerOptions): Promise<RemoteWorker> {
  const { client } = options;
  const logger = options.logger ?? quietLogger;
  const concurrency = Math.min(1000, Math.max(1, options.concurrency ?? 8));
  const claimWaitMs = options.claimWaitMs ?? 20_000;
  const host = hostname();
  const name = options.name ?? defaultWorkerName();
  const runsDir = join(dirname(options.bundlesDir), "runs");
  const workdirs = createWorkdirs(runsDir);
  const link = createLink(logger, client.url, options.lostHint);
  /** Aborted when the worker stops taking runs: ends its waits. */
  const takeAbort = new AbortController();
  const { runner, gateway } = await createRemoteRunner(options, host, workdirs, logger);
  const download = createJobDownloader(
    createBundleCache(options.bundlesDir, client),
    options.workDir,
    link,
  );
  const runs = createRemoteRuns();
  // Its folder holds log lines (in reports/) and bundles: often a checkout, never git's.
  keepOutOfGit(
    dirname(options.bundlesDir),
    "orch worker's folder: bundles, runs, undelivered reports",
  );
  // What a worker here did not deliver before it stopped, to resend; and what this one owes.
  const journal = openReportJournal(journalDir(options.bundlesDir), {
    logger,
    api: client.url,
    host,
  });
  /** Set once orch turned out older than this worker: it takes no more runs, and stops. */
  let tooOld: OrchError | null = null;
  let failedWith: (error: OrchError) => void = () => {};
  const failed = new Promise<OrchError>((resolve) => (failedWith = resolve));
  const queue = createRemoteReports(client, runs, {
    logger,
    link,
    journal,
    // Why stop rather than start runs without asking, as workers did before the question was
    // asked: orch's "yes" is what keeps a run it took back from a worker it counted lost from
    // running here and on another worker too. Nothing runs twice; the user is told what to do.
    onTooOld: (error) => {
      if (tooOld) return;
      tooOld = error;
      void finish().then(() => failedWith(error));
    },
  });

  const resent = resendRecovered(journal, queue, logger, options.resendWaitMs ?? 10_000);
  const registration = await joinOrch(
    client,
    { name, pool: options.pool, host, concurrency, pid: process.pid },
    link,
    takeAbort.signal,
    logger,
    {
      onRegistered: (id) => {
        runner.workerId = id;
      },
      onForgotten: (id) => {
        for (const exec of runs.running) if (exec.workerId === id) exec.attempt.abandon();
      },
    },
  );
  let taking = true;

  /** Send a run's last state; the run is let go once the server has it (or refused it). */
  const reportFinal = (
    workerId: string,
    runId: string,
    entry: Held,
    state: ProposedState,
    outcome: RunOutcome = {},
  ) =>
    queue.state(workerId, runId, toStateReport(state, outcome)).then((recorded) => {
      if (recorded?.ignored) logger.info(`run ${runId}: ${recorded.ignored}`);
      runs.release(runId, entry);
    });

  const start = (job: WorkerJob) => {
    const runId = job.run_id;
    const known = runs.held(runId);
    if (known && known.attempt >= job.attempt) return; // delivered twice
    const entry = runs.hold(runId, job.attempt);
    const workerId = registration.me.id;
    if (!taking) {
      // Stopping: give it back at once.
      void reportFinal(workerId, runId, entry, {
        type: "SCHEDULED",
        message: `worker ${name} on ${host} is stopping; it will start again`,
      });
      return;
    }
    // Every report names the job's attempt, also those sent before its process started: the
    // server drops one of an attempt the run has moved past (resumed or retried meanwhile).
    const ofAttempt = (outcome: RunOutcome): RunOutcome => ({ attempt: job.attempt, ...outcome });
    /**
     * The files first (a download may take long), then orch's word that the process may start:
     * a run orch took back meanwhile (this worker was counted lost, the run given to another)
     * is never started here, and one it let start is never given to another worker.
     */
    const prepare = async (signal: AbortSignal) => {
      const ready = await download(job, signal);
      const answer = await whenNotAborted(queue.start(workerId, runId, job.attempt), signal);
      if (answer?.start) return ready;
      if (tooOld) {
        attempt.stop(`worker ${name} on ${host} cannot start runs of an older orch`);
        throw tooOld;
      }
      if (answer?.run.state === "CANCELLING") attempt.cancel();
      else attempt.abandon();
      throw new Error(
        `orch did not let it start: ${answer?.reason ?? "the run is not this worker's"}`,
      );
    };
    const attempt = executeAttempt({
      prepare,
      runner,
      logger,
      where: `worker ${name} on ${host}`,
      report: {
        running: (state, outcome) =>
          void queue.state(workerId, runId, toStateReport(state, ofAttempt(outcome))),
        logs: (lines) => queue.logs(workerId, runId, job.attempt, lines),
        final: (state, outcome) =>
          void reportFinal(workerId, runId, entry, state, ofAttempt(outcome)),
      },
    });
    const execution = { attempt, job, workerId };
    runs.track(execution);
    void attempt.done.finally(() => {
      runs.untrack(execution);
      claims.wake();
    });
  };

  const cancel = (runId: string) => {
    const entry = runs.held(runId);
    if (entry?.told) return;
    if (entry) {
      entry.told = true;
      runs.latest(runId)?.attempt.cancel();
      return;
    }
    // Claimed for us, never delivered (an answer lost with a connection): nothing to stop.
    const told = runs.hold(runId, 0, true);
    void reportFinal(registration.me.id, runId, told, {
      type: "CANCELLED",
      message: `cancelled before worker ${name} on ${host} received it`,
    });
  };

  const stopHeartbeat = startHeartbeat(client, () => registration.me, link, {
    onCancel: (ids) => {
      for (const id of ids) cancel(id);
    },
    onError: async (error) => {
      if (isGone(error)) await registration.rejoin(error).catch(() => {});
      else logger.warn("heartbeat failed:", (error as Error).message);
    },
  });

  // What a worker here left undelivered goes first: orch learns how those runs ended before
  // this worker takes new ones (unless orch keeps refusing them: then they go on meanwhile).
  await resent;
  const claims = runClaimLoop({
    client,
    link,
    logger,
    concurrency,
    claimWaitMs,
    runs,
    workerId: () => registration.me.id,
    reregistering: () => registration.reregistering,
    rejoin: registration.rejoin,
    start,
    cancel,
    signal: takeAbort.signal,
  });

  let stopping: Promise<void> | null = null;
  const finish = () => {
    stopping ??= (async () => {
      taking = false;
      takeAbort.abort();
      claims.interrupt();
      await claims.done;
      await runs.allDone();
      // A report orch keeps failing holds the stop no longer than a server that is gone.
      const delivering = {
        get isUp() {
          return link.isUp && queue.failing === 0;
        },
      };
      await deliverOrGiveUp(queue, delivering, options.giveUpDeliveringMs ?? 5000, (n, limit) => {
        const lost = queue.unkept;
        const why = queue.failing ? "failed them" : "not answered";
        logger.warn(
          `leaving without delivering ${n} state(s) and log line(s): orch at ${client.url} has ${why} for ${formatDuration(limit)}; ${
            lost === n
              ? "they are lost"
              : `they are kept in ${journal.path} and sent by the next worker started with this folder${lost ? ` (but for ${lost}, which are lost)` : ""}`
          }`,
        );
      });
      stopHeartbeat();
      try {
        await client.offline(registration.me.id);
      } catch (error) {
        logger.warn(`could not tell orch this worker stopped: ${(error as Error).message}`);
      }
      queue.close();
      journal.close();
      workdirs.dispose();
      gateway.stop();
    })();
    return stopping;
  };

  return {
    name,
    get id() {
      return registration.me.id;
    },
    active: runs.active,
    failed,
    drain: finish,
    stop: (stop = {}) =>
      stopWithGrace(
        finish(),
        () => [...runs.running].map((e) => e.attempt),
        stop,
        `orch worker ${name} on ${host} was stopped`,
      ),
  };
}

/** `promise`, or a rejection once `signal` aborts (what it would have brought is not waited for). */
function whenNotAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error("aborted"));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
