import type { Store } from "./open-store.ts";

/** A task run's state as a flow reports it. */
export interface TaskRunInput {
  /** The flow's own id for this task run (reports of the same id update one row). */
  id: string;
  name: string;
  state: string;
  attempts: number;
  started_at: number | null;
  ended_at: number | null;
}

/** Record the latest state of task runs of one flow run, in one transaction. */
export function upsertTaskRuns(store: Store, runSeq: number, tasks: TaskRunInput[]): void {
  store.tx(() => {
    const upsert = store.db.query(
      `INSERT INTO task_runs (run_seq, key, name, state, attempts, started_at, ended_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_seq, key) DO UPDATE SET name = excluded.name, state = excluded.state,
         attempts = excluded.attempts, started_at = excluded.started_at, ended_at = excluded.ended_at`,
    );
    for (const t of tasks)
      upsert.run(runSeq, t.id, t.name, t.state, t.attempts, t.started_at, t.ended_at);
  });
}
