import { defaultName, type StateName, type StateType } from "../core/index.ts";
import { recordEvent } from "./events.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** Ends only orch gives a task run (a flow reports SCHEDULED, RUNNING, COMPLETED, FAILED). */
const ENDED_BY_RUN = "task_runs.state IN ('CANCELLED', 'CRASHED')";

/** The states in which a flow run's process runs (and reports its task runs). */
const PROCESS_RUNS = new Set<StateType>(["RUNNING", "CANCELLING"]);

/** A task run's state as a flow reports it. */
export interface TaskRunInput {
  /** The flow's own id for this task run (reports of the same id update one row). */
  id: string;
  name: string;
  state: string;
  /** The state's name when it says more than its type (TimedOut, AwaitingRetry). */
  state_name?: string;
  /** Why it failed. */
  message?: string;
  tags?: string[];
  attempts: number;
  started_at: number | null;
  ended_at: number | null;
  /** Its value came from the cache. */
  cached?: boolean;
  /** Its result's envelope (see stored-values.ts), once it has one; absent keeps what is stored. */
  result?: string;
  /** The attempt of its flow run it belongs to. */
  run_attempt?: number;
  /** The hash of its inputs (see the SDK's task-inputs.ts); absent when they are not JSON. */
  inputs_hash?: string;
  /** The hash of its task's source (see the SDK's task-inputs.ts). */
  source_hash?: string;
}

/**
 * Record the latest state of task runs of one flow run, in one transaction, with one
 * `task-run.updated` event for the report (resource: the flow run), so screens showing the run
 * follow its tasks live and a trigger can act on a task that failed. One event per report, not
 * per task: a flow reports its tasks in batches, and a map over thousands of items stays cheap.
 */
export function upsertTaskRuns(
  store: Store,
  run: { seq: number; id: string; deployment: string | null },
  tasks: TaskRunInput[],
): void {
  store.tx(() => {
    const upsert = sqlite(store).query(
      `INSERT INTO task_runs (run_seq, key, name, state, state_name, message, tags, attempts,
         started_at, ended_at, cached, result, run_attempt, inputs_hash, source_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_seq, key) DO UPDATE SET name = excluded.name, state = excluded.state,
         state_name = excluded.state_name, message = excluded.message, tags = excluded.tags,
         attempts = excluded.attempts, started_at = excluded.started_at, ended_at = excluded.ended_at,
         cached = excluded.cached, result = coalesce(excluded.result, result),
         run_attempt = coalesce(excluded.run_attempt, run_attempt),
         inputs_hash = coalesce(excluded.inputs_hash, inputs_hash),
         source_hash = coalesce(excluded.source_hash, source_hash)
       WHERE NOT (${ENDED_BY_RUN} AND excluded.state IN ('RUNNING', 'SCHEDULED'))`,
    );
    for (const t of tasks) {
      upsert.run(
        run.seq,
        t.id,
        t.name,
        t.state,
        t.state_name ?? null,
        t.message ?? null,
        t.tags?.length ? JSON.stringify(t.tags) : null,
        t.attempts,
        t.started_at,
        t.ended_at,
        t.cached ? 1 : 0,
        t.result ?? null,
        t.run_attempt ?? null,
        t.inputs_hash ?? null,
        t.source_hash ?? null,
      );
    }
    const failed = [...new Set(tasks.filter((t) => t.state === "FAILED").map((t) => t.name))];
    recordEvent(store, "task-run.updated", run.id, {
      deployment: run.deployment,
      tasks: tasks.length,
      failed,
    });
  });
}

/** A task run as stored. */
export interface TaskRunRow {
  key: string;
  name: string;
  state: string;
  attempts: number;
  cached: number;
  state_name: string | null;
  message: string | null;
  /** JSON text of its tags, or null. */
  tags: string | null;
  started_at: number | null;
  ended_at: number | null;
  /** The attempt of its flow run it belongs to (null: recorded before orch kept it). */
  run_attempt: number | null;
}

/** The task runs of one flow run, in the order they were first reported: a run's details. */
export function listTaskRuns(store: Store, runSeq: number): TaskRunRow[] {
  return sqlite(store)
    .query(
      `SELECT key, name, state, state_name, message, tags, attempts, cached, started_at, ended_at,
         run_attempt
       FROM task_runs WHERE run_seq = ? ORDER BY id`,
    )
    .all(runSeq) as TaskRunRow[];
}

/** A task run with its result's envelope (null: none). */
export interface TaskRunWithResult extends TaskRunRow {
  result: string | null;
}

/** The task runs of one flow run named `name`, in the order they were first reported. */
export function taskRunsNamed(store: Store, runSeq: number, name: string): TaskRunWithResult[] {
  return sqlite(store)
    .query(
      `SELECT key, name, state, state_name, message, tags, attempts, cached, started_at, ended_at,
         run_attempt, result
       FROM task_runs WHERE run_seq = ? AND name = ? ORDER BY id`,
    )
    .all(runSeq, name) as TaskRunWithResult[];
}

/** Keep a flow run's own result (its envelope, see stored-values.ts). */
export function setRunResult(store: Store, runSeq: number, envelope: string): void {
  sqlite(store).query("UPDATE flow_runs SET result = ? WHERE seq = ?").run(envelope, runSeq);
}

/**
 * End the task runs a flow run's process left open (RUNNING, or SCHEDULED for a retry of its
 * own) as the run leaves its process behind: a timeout, a cancel, a crash, a failure, a pause, an
 * end with a task never awaited (the run, as it stood, left RUNNING or
 * CANCELLING for `ended`). No report will come for them, and no screen may show them
 * running. Each ends as a subflow would (childEnding): CRASHED with a crashed run, else
 * CANCELLED, with what became of the run; a report of the process that comes after (a pause's
 * last flush) never opens one again (upsertTaskRuns). One `task-run.updated` event if any ended.
 */
export function endOpenTaskRuns(
  store: Store,
  run: { seq: number; id: string; deployment: string | null; state_type: StateType },
  ended: { type: StateType; name: StateName },
  at: number,
): void {
  if (!PROCESS_RUNS.has(run.state_type) || PROCESS_RUNS.has(ended.type)) return;
  const crashed = ended.type === "CRASHED";
  const message = crashed
    ? "its flow run crashed while it ran"
    : ended.type === "CANCELLED"
      ? "cancelled with its flow run"
      : `its flow run went ${ended.name} while it ran`;
  const type = crashed ? "CRASHED" : "CANCELLED";
  const { changes } = sqlite(store)
    .query(
      `UPDATE task_runs SET state = ?, state_name = ?, message = ?, ended_at = ?
       WHERE run_seq = ? AND state IN ('RUNNING', 'SCHEDULED')`,
    )
    .run(type, defaultName(type), message, at, run.seq);
  if (changes) {
    recordEvent(store, "task-run.updated", run.id, {
      deployment: run.deployment,
      tasks: changes,
      failed: [],
    });
  }
}
