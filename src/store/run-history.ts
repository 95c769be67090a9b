import { iso, type StateJson, type StateName, type StateType } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

// A run's state history: one row per state it entered, written with the state, never changed.

/** Append one entry to a run's state history (createRun and transitionRun, inside their transaction). */
export function insertHistory(
  store: Store,
  seq: number,
  type: StateType,
  name: StateName,
  at: number,
  message: string,
): void {
  sqlite(store)
    .query("INSERT INTO flow_run_states (run_seq, type, name, at, message) VALUES (?, ?, ?, ?, ?)")
    .run(seq, type, name, at, message);
}

/** A run's state history, oldest first. */
export function runStates(store: Store, seq: number): StateJson[] {
  const rows = sqlite(store)
    .query("SELECT type, name, at, message FROM flow_run_states WHERE run_seq = ? ORDER BY id")
    .all(seq) as { type: StateType; name: StateName; at: number; message: string }[];
  return rows.map((r) => ({ ...r, at: iso(r.at)! }));
}
