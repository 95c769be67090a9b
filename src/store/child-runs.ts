import type { Store } from "./open-store.ts";
import type { RunRow } from "./run-row.ts";
import { sqlite } from "./sqlite.ts";
import { TERMINAL } from "./state-sql.ts";

/** A run's subflow runs that have not ended (the cascade of transitionRun ends them). */
export function unfinishedChildren(store: Store, parentId: string): RunRow[] {
  // Sorted here, not by SQLite: with ORDER BY the same lookup took 40-60 us instead of 5-8 (a
  // sorter set up for every run that ends, though most have no children at all).
  const rows = sqlite(store)
    .query(`SELECT * FROM flow_runs WHERE parent_id = ? AND NOT ${TERMINAL}`)
    .all(parentId) as RunRow[];
  return rows.length > 1 ? rows.sort((a, b) => a.seq - b.seq) : rows;
}

/** A run's subflow runs, oldest first (`runs inspect` lists them). */
export function childRuns(store: Store, parentId: string): RunRow[] {
  return sqlite(store)
    .query("SELECT * FROM flow_runs WHERE parent_id = ? ORDER BY seq LIMIT 1000")
    .all(parentId) as RunRow[];
}

/**
 * Whether a PENDING run got there from a resume (Resuming, then PENDING): its start is then no
 * retry. Read from the history: the last state before it that is not a claim (Pending) or a
 * claim given back (Requeued, when the worker that claimed it was lost).
 */
export function cameFromResume(store: Store, seq: number): boolean {
  const row = sqlite(store)
    .query(
      "SELECT name FROM flow_run_states WHERE run_seq = ? AND name NOT IN ('Pending', 'Requeued') ORDER BY id DESC LIMIT 1",
    )
    .get(seq) as { name: string } | null;
  return row?.name === "Resuming";
}
