/**
 * What a retry from the failure (or a resume) reuses: the task runs an attempt completed, with
 * the hashes of their inputs and code and their kept results, and which runs go on that way.
 */
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
 * Whether the run's latest attempt was started by a resume: its latest SCHEDULED state is
 * Resuming (not a retry's, nor an automatic retry's).
 */
export function startedByResume(store: Store, runSeq: number): boolean {
  const row = sqlite(store)
    .query(
      "SELECT name FROM flow_run_states WHERE run_seq = ? AND type = 'SCHEDULED' ORDER BY id DESC LIMIT 1",
    )
    .get(runSeq) as { name: string | null } | null;
  return row?.name === "Resuming";
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
 * The task runs of attempt `attempt` whose results a retry from the failure may reuse: those
 * that COMPLETED with a kept result and hashable inputs, and started before the attempt's first
 * task failure ended. Why that bound and not "completed at all": a task that started after a
 * failure may depend on it (a fallback, a cleanup), so from the first failure on everything
 * runs again; a task that ran beside the failure (another item of a map) did not see it.
 */
export function reusableTaskRuns(store: Store, runSeq: number, attempt: number): RecordedTaskRun[] {
  return sqlite(store)
    .query(
      `SELECT key, name, state, state_name, message, inputs_hash, source_hash, started_at, ended_at,
         result
       FROM task_runs
       WHERE run_seq = $seq AND run_attempt = $attempt AND state = 'COMPLETED'
         AND inputs_hash IS NOT NULL AND result IS NOT NULL
         AND started_at < coalesce(
           (SELECT min(ended_at) FROM task_runs
            WHERE run_seq = $seq AND run_attempt = $attempt AND state = 'FAILED'),
           9007199254740991)
       ORDER BY id`,
    )
    .all({ seq: runSeq, attempt }) as RecordedTaskRun[];
}
