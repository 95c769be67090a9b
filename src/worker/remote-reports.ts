import type { WorkerClient } from "../client/index.ts";
import {
  isNoRoute,
  OrchError,
  type RunJson,
  type StateRecorded,
  type StateReportJson,
  toOrchError,
  VERSION,
} from "../core/index.ts";
import { isRetryable } from "./is-retryable.ts";
import type { Link } from "./link.ts";
import { isGone } from "./register-worker.ts";
import type { RemoteRuns } from "./remote-runs.ts";
import type { ReportJournal } from "./report-journal.ts";
import { createReportQueue } from "./report-queue.ts";
import type { WorkerLogger } from "./worker-logger.ts";

/** A state orch records in place of a worker's end (a cancel, a retry's wait). */
const asRecorded = (state: { type: string; name: string }) =>
  state.type === "CANCELLED" || state.name === "AwaitingRetry";

/** Why a worker cannot work for orch at `url`: the server is older than it. */
export function serverTooOld(url: string): OrchError {
  return new OrchError(
    "E_NOT_IMPLEMENTED",
    `orch at ${url} is older than this worker (orch ${VERSION}): it has no POST /api/workers/:id/runs/:run/start, which a worker asks before it starts a run so that no run ever runs twice. Upgrade the server to orch ${VERSION}, or run a worker of the server's version`,
  );
}

/**
 * Create a remote worker's outbox over the worker protocol. A report refused because the run is
 * not ours (any more: orch gave it to another worker while it counted us lost) stops whatever of
 * it we started, so it never runs twice. A start that orch answers with "no route" means orch is
 * older than this worker: `onTooOld` is told, and the start refused.
 */
export function createRemoteReports(
  client: WorkerClient,
  runs: RemoteRuns,
  options: {
    logger: WorkerLogger;
    link: Link;
    onTooOld(error: OrchError): void;
    journal?: ReportJournal;
  },
) {
  const { logger } = options;
  const notOurs = (workerId: string, runId: string, attempt?: number) => (error: unknown) => {
    const exec = runs.latest(runId);
    // A refusal of an older attempt's report says nothing of the attempt running now.
    const same = attempt === undefined || exec?.job.attempt === attempt;
    if (isGone(error) && exec?.workerId === workerId && same) {
      logger.warn(
        `run ${runId} is no longer this worker's (${(error as Error).message}); stopping it`,
      );
      exec.attempt.abandon();
    }
    throw error;
  };
  /**
   * A state refused because orch already recorded it: its answer was lost (with a connection, or
   * with the worker that sent it), and orch's rules refuse it the second time when it changed
   * the run (a COMPLETED while cancelling is recorded CANCELLED, a FAILED with retries left
   * makes the run wait for its retry, no longer held). Orch answers a plain repeat with
   * `changed: false`, and such a refusal with 409; what tells them apart is the run's history:
   * a state recorded at the very time the report says (orch keeps a worker's time), of its type
   * or of one orch records in its stead (CANCELLED, AwaitingRetry), is this one.
   */
  const recordedBefore =
    (runId: string, report: StateReportJson) =>
    async (error: unknown): Promise<StateRecorded> => {
      const { code } = toOrchError(error);
      if (code !== "E_CONFLICT" && code !== "E_ILLEGAL_TRANSITION") throw error;
      const at = Date.parse(report.at ?? "");
      // Asking failed for want of a server: the state is sent again, and this asked again.
      const run = await client.getRun(runId).catch((failed: unknown) => {
        throw isRetryable(failed) ? failed : error;
      });
      if (
        !run.states.some(
          (s) => Date.parse(s.at) === at && (s.type === report.type || asRecorded(s)),
        )
      )
        throw error;
      const { states: _, ...json } = run;
      return { run: json as RunJson, changed: false };
    };
  const tooOld = (error: unknown) => {
    if (!isNoRoute(error)) throw error;
    const why = serverTooOld(client.url);
    options.onTooOld(why);
    throw why;
  };
  return createReportQueue(
    {
      start: (workerId, runId, request) =>
        client
          .startRun(workerId, runId, request)
          .catch(tooOld)
          .catch(notOurs(workerId, runId, request.attempt)),
      state: (workerId, runId, report) =>
        client
          .reportState(workerId, runId, report)
          .catch(recordedBefore(runId, report))
          .catch(notOurs(workerId, runId, report.attempt)),
      logs: (workerId, runId, batch) =>
        client.appendLogs(workerId, runId, batch).catch(notOurs(workerId, runId, batch.attempt)),
    },
    { logger, link: options.link, ...(options.journal ? { journal: options.journal } : {}) },
  );
}
