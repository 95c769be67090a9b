import { defaultName, iso, isStateType, type RunDetail } from "../../core/index.ts";
import {
  childRuns,
  getRunOrThrow,
  getWorker,
  listArtifactSummaries,
  listTaskRuns,
  runHistory,
  runToJson,
  type Store,
} from "../../store/index.ts";
import { pauseOf } from "../../worker/index.ts";
import { resultSummary } from "./result-routes.ts";

/** A task run's state name: its type's own (`Completed`), or the type as is when orch knows none. */
function taskStateName(state: string): string {
  return isStateType(state) ? defaultName(state) : state;
}

/** Who ran a run, as the monitor names a worker (NAME@HOST). */
function workerName(store: Store, id: string | null): string | null {
  const worker = id ? getWorker(store, id) : null;
  return worker && `${worker.name}@${worker.host}`;
}

/** A run with its history, task runs and result. */
export function runDetail(store: Store, idOrPrefix: string): RunDetail {
  const run = getRunOrThrow(store, idOrPrefix);
  const tasks = listTaskRuns(store, run.seq);
  const pause = pauseOf(run);
  return {
    ...runToJson(run),
    state_message: run.state_message,
    ...runHistory(store, run.seq),
    tasks: tasks.map((t) => ({
      name: t.name,
      state: t.state,
      state_name: t.state_name ?? (t.cached === 1 ? "Cached" : taskStateName(t.state)),
      attempts: t.attempts,
      started_at: iso(t.started_at),
      ended_at: iso(t.ended_at),
      cached: t.cached === 1,
      ...(t.message ? { message: t.message } : {}),
      ...(t.tags ? { tags: JSON.parse(t.tags) as string[] } : {}),
      run_attempt: t.run_attempt,
    })),
    result: resultSummary(run.result),
    artifacts: listArtifactSummaries(store, run.seq),
    children: childRuns(store, run.id).map(runToJson),
    worker_name: workerName(store, run.worker_id),
    pause: pause && {
      key: pause.key,
      timeout_at: iso(run.paused_until),
      input_schema: pause.input_schema,
    },
  };
}
