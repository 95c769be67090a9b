/**
 * Results: a flow's process sends its return value (its tasks' ride with their task reports),
 * and anyone reads a run's or a task run's result back. Values are kept by the store's envelope
 * (in the database when small, in a file under .orch/results/ when large).
 */
import {
  OrchError,
  RESULT,
  RESULT_QUERY,
  RESULT_REQUEST,
  RESULT_SUMMARY,
  type ResultJson,
  type ResultRequest,
  type ResultSummary,
} from "../../core/index.ts";
import {
  getRunOrThrow,
  keepValue,
  listTaskRuns,
  parseStored,
  type RunRow,
  readValue,
  type Store,
  setRunResult,
  type TaskRunWithResult,
  taskRunsNamed,
  valueProblem,
} from "../../store/index.ts";
import { json } from "../http.ts";
import type { Route, RouteContext } from "../router.ts";

/** What the result routes need. */
export interface ResultRoutesDeps {
  store: Store;
  /** The data dir, whose results/ folder holds large values. */
  dataDir: string;
}

/** A result envelope as `inspect` shows it: the value only when it is in the database. */
export function resultSummary(envelope: string | null): ResultSummary | null {
  if (envelope === null) return null;
  const stored = parseStored(envelope);
  if ("problem" in stored) return { problem: stored.problem, size: 0, file: null };
  if ("value" in stored) return { value: stored.value, size: stored.size, file: null };
  return { size: stored.size, file: stored.file };
}

/**
 * The envelope of a value a flow sent (or of why it could not send it). A value over the cap is
 * kept as a problem rather than refused: the run's other reports must still land.
 */
export function envelopeOf(
  dataDir: string,
  value: unknown,
  problem: string | undefined,
  what: string,
): string {
  if (problem !== undefined) return valueProblem(problem);
  try {
    return keepValue(dataDir, value, what);
  } catch (error) {
    if (error instanceof OrchError && error.code === "E_TOO_LARGE")
      return valueProblem(error.message);
    throw error;
  }
}

/** Why a run has no result to give, in words that say what to do. */
function noResult(run: RunRow): never {
  const id = run.id.slice(0, 8);
  const why =
    run.state_type === "COMPLETED"
      ? "its flow kept none (a command, or a flow that ended before it returned)"
      : `it is ${run.state_type}${run.state_type === "RUNNING" ? "; ask again when it has ended" : ""}`;
  throw new OrchError("E_NOT_FOUND", `run ${id} has no result: ${why}`);
}

/** The task run `task` (`NAME`, or `NAME#N` for the Nth of several) of a run. */
function pickTask(store: Store, run: RunRow, task: string): TaskRunWithResult {
  const m = /^(.*)#(\d+)$/.exec(task);
  const name = m ? m[1]! : task;
  const runs = taskRunsNamed(store, run.seq, name);
  const id = run.id.slice(0, 8);
  if (!runs.length) {
    const names = [...new Set(listTaskRuns(store, run.seq).map((t) => t.name))];
    const known = names.length ? `; its tasks: ${names.join(", ")}` : "; it has no task runs";
    throw new OrchError(
      "E_NOT_FOUND",
      `run ${id} has no task run named ${JSON.stringify(name)}${known}`,
    );
  }
  if (m) {
    const picked = runs[Number(m[2]) - 1];
    if (!picked) {
      throw new OrchError(
        "E_NOT_FOUND",
        `task ${name} ran ${runs.length} time(s) in run ${id}; pick ${name}#1 to ${name}#${runs.length}`,
      );
    }
    return picked;
  }
  if (runs.length > 1) {
    throw new OrchError(
      "E_AMBIGUOUS",
      `task ${name} ran ${runs.length} times in run ${id}; pick one: ${name}#1 … ${name}#${runs.length} (in the order they started)`,
    );
  }
  return runs[0]!;
}

/** GET and POST /api/runs/:id/result. */
export function resultRoutes({ store, dataDir }: ResultRoutesDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/api/runs/:id/result",
      operationId: "getRunResult",
      summary: "A run's result (its flow's return value), or a task run's with ?task=NAME",
      query: RESULT_QUERY,
      response: { description: "The result", schema: RESULT },
      handler: (_req, { params: { id }, query }) => {
        const run = getRunOrThrow(store, id!);
        const taskName = query.task as string | undefined;
        let envelope: string | null;
        let what: string;
        if (taskName === undefined) {
          envelope = run.result;
          what = `the result of run ${run.id.slice(0, 8)}`;
          if (envelope === null) noResult(run);
        } else {
          const task = pickTask(store, run, taskName);
          envelope = task.result;
          what = `the result of task ${taskName}`;
          if (envelope === null) {
            throw new OrchError(
              "E_NOT_FOUND",
              `task ${taskName} of run ${run.id.slice(0, 8)} has no result: it is ${task.state}`,
            );
          }
        }
        const read = readValue(dataDir, envelope, what);
        const body: ResultJson = { run_id: run.id, task: taskName ?? null, ...read };
        return json(body);
      },
    },
    {
      method: "POST",
      path: "/api/runs/:id/result",
      operationId: "setRunResult",
      summary:
        "A flow keeps its return value as its run's result: {value}, or {problem} when it could not",
      body: RESULT_REQUEST,
      response: { description: "The result as kept", schema: RESULT_SUMMARY },
      handler: (_req, { params: { id }, body }: RouteContext<ResultRequest>) => {
        const run = getRunOrThrow(store, id!);
        const envelope = envelopeOf(
          dataDir,
          body.value,
          body.problem,
          `the result of run ${run.id.slice(0, 8)}`,
        );
        setRunResult(store, run.seq, envelope);
        return json(resultSummary(envelope));
      },
    },
  ];
}
