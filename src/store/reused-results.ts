/**
 * What a retry from the failure (or a resume) reuses: the task runs an attempt completed, with
 * the hashes of their inputs and code and their kept results, and which runs go on that way.
 */
import { selectReusable } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** A task run of one attempt as recorded, with its result's envelope (null: none). */
export interface RecordedTaskRun {
  key: string;
  name: string;
  state: string;
  state_name: string | null;
  message: string | null;
  inputs_hash: string | null;
  /** The hash of its task's source (null: recorded before orch kept it). */
  source_hash: string | null;
  started_at: number | null;
  ended_at: number | null;
  result: string | null;
}

/**
 * Mark run `runSeq` as retried from the failure of attempt `fromAttempt` (its next attempts
 * reuse what the attempt before each completed), or, with null, as retried afresh.
 */
export function setReuseResults(store: Store, runSeq: number, fromAttempt: number | null): void {
  const db = sqlite(store);
  if (fromAttempt === null) {
    db.query("DELETE FROM reuse_results WHERE run_seq = ?").run(runSeq);
  } else {
    db.query(
      `INSERT INTO reuse_results (run_seq, from_attempt) VALUES (?, ?)
       ON CONFLICT (run_seq) DO UPDATE SET from_attempt = excluded.from_attempt`,
    ).run(runSeq, fromAttempt);
  }
}

/** The attempt a run was retried from the failure of, or null when its attempts run afresh. */
export function reuseResultsFrom(store: Store, runSeq: number): number | null {
  const row = sqlite(store)
    .query("SELECT from_attempt FROM reuse_results WHERE run_seq = ?")
    .get(runSeq) as { from_attempt: number } | null;
  return row?.from_attempt ?? null;
}

/**
 * The name of the run's latest SCHEDULED state (Resuming when a resume started its latest
 * attempt; null: it has none), as the reuse rule reads it (core/task-reuse.ts).
 */
export function latestScheduledName(store: Store, runSeq: number): string | null {
  const row = sqlite(store)
    .query(
      "SELECT name FROM flow_run_states WHERE run_seq = ? AND type = 'SCHEDULED' ORDER BY id DESC LIMIT 1",
    )
    .get(runSeq) as { name: string | null } | null;
  return row?.name ?? null;
}

/** The latest attempt of a run that recorded task runs, or null when none did. */
export function latestRecordedAttempt(store: Store, runSeq: number): number | null {
  const row = sqlite(store)
    .query("SELECT max(run_attempt) AS attempt FROM task_runs WHERE run_seq = ?")
    .get(runSeq) as { attempt: number | null };
  return row.attempt;
}

/** Every task run of attempt `attempt` of a run, in the order they were first reported. */
export function recordedTaskRuns(store: Store, runSeq: number, attempt: number): RecordedTaskRun[] {
  return sqlite(store)
    .query(
      `SELECT key, name, state, state_name, message, inputs_hash, source_hash, started_at, ended_at,
         result
       FROM task_runs WHERE run_seq = ? AND run_attempt = ? ORDER BY id`,
    )
    .all(runSeq, attempt) as RecordedTaskRun[];
}

/**
 * The task runs of attempt `attempt` whose results a later attempt may reuse, by the rule of
 * core/task-reuse.ts (completed, kept, hashed, started before the first failure ended).
 */
export function reusableTaskRuns(store: Store, runSeq: number, attempt: number): RecordedTaskRun[] {
  return selectReusable(recordedTaskRuns(store, runSeq, attempt), (t) => ({
    state: t.state,
    inputs_hash: t.inputs_hash,
    source_hash: t.source_hash,
    started_at: t.started_at,
    ended_at: t.ended_at,
    kept: t.result !== null,
  }));
}
