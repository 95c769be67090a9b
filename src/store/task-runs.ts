import { recordEvent } from "./events.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

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
         source_hash = coalesce(excluded.source_hash, source_hash)`,
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
