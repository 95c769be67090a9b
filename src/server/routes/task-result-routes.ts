/**
 * The task runs of a past attempt with their kept results: what a retry from the failure
 * reuses (asked by the flow's process, on any worker) and what a replay or a snapshot replays.
 */
import {
  iso,
  OrchError,
  type ReuseReason,
  reuseSource,
  TASK_RESULTS,
  TASK_RESULTS_QUERY,
  type TaskResultJson,
  type TaskResultsJson,
} from "../../core/index.ts";
import {
  getRunOrThrow,
  latestRecordedAttempt,
  latestScheduledName,
  type RecordedTaskRun,
  readValue,
  recordedTaskRuns,
  reusableTaskRuns,
  reuseResultsFrom,
  type Store,
} from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route } from "../router.ts";

/** What the task result routes need. */
export interface TaskResultRoutesDeps {
  store: Store;
  /** The data dir, whose results/ folder holds large values. */
  dataDir: string;
}

/** A recorded task run as the wire has it, with its value read from its envelope. */
function taskResult(dataDir: string, t: RecordedTaskRun): TaskResultJson {
  const out: TaskResultJson = {
    name: t.name,
    state: t.state,
    state_name: t.state_name,
    inputs_hash: t.inputs_hash,
    source_hash: t.source_hash,
    started_at: iso(t.started_at),
    ended_at: iso(t.ended_at),
    ...(t.message ? { message: t.message } : {}),
  };
  if (t.result === null) return out;
  try {
    return { ...out, value: readValue(dataDir, t.result, `the result of task ${t.name}`).value };
  } catch (error) {
    // A value that was never kept (not JSON, over the cap) or whose file is gone: said, not thrown,
    // so the other tasks' values still come.
    if (error instanceof OrchError && error.code === "E_NOT_FOUND") {
      return { ...out, problem: error.message };
    }
    throw error;
  }
}

/** GET /api/runs/:id/task-results. */
export function taskResultRoutes({ store, dataDir }: TaskResultRoutesDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/api/runs/:id/task-results",
      operationId: "getTaskResults",
      summary:
        "The task runs of one attempt with their results: ?attempt=N (default the latest), or ?reuse_for=N for what attempt N of a run resumed or retried from the failure may reuse",
      query: TASK_RESULTS_QUERY,
      response: {
        description: "The attempt's task runs, in the order they started",
        schema: TASK_RESULTS,
      },
      handler: (_req, { params: { id }, query }) => {
        const run = getRunOrThrow(store, id!);
        const reuseFor = query.reuse_for as number | undefined;
        let attempt: number | null;
        let tasks: RecordedTaskRun[];
        let reason: ReuseReason | null = null;
        if (reuseFor !== undefined) {
          // Only an attempt after a pause, or of a run retried from the failure, reuses, and
          // only what the attempt before it did (the rule: core/task-reuse.ts).
          const source = reuseSource(reuseFor, {
            latestScheduled: latestScheduledName(store, run.seq),
            retriedFromFailure: reuseResultsFrom(store, run.seq) !== null,
          });
          attempt = source?.attempt ?? null;
          reason = source?.reason ?? null;
          tasks = source ? reusableTaskRuns(store, run.seq, source.attempt) : [];
        } else {
          attempt = (query.attempt as number | undefined) ?? latestRecordedAttempt(store, run.seq);
          tasks = attempt === null ? [] : recordedTaskRuns(store, run.seq, attempt);
        }
        const body: TaskResultsJson = {
          run_id: run.id,
          attempt,
          tasks: tasks.map((t) => taskResult(dataDir, t)),
          ...(reason ? { reason } : {}),
        };
        return json(body);
      },
    },
  ];
}
