import {
  type AttemptJson,
  attemptsOf,
  iso,
  type StateJson,
  type StateName,
  type StateType,
} from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

// A run's state history: one row per state it entered, written with the state, never changed.

/**
 * Append one entry to a run's state history (createRun and transitionRun, inside their
 * transaction); `version`: on the entry that starts an attempt, the version the attempt runs.
 */
export function insertHistory(
  store: Store,
  seq: number,
  type: StateType,
  name: StateName,
  at: number,
  message: string,
  version: number | null = null,
): void {
  sqlite(store)
    .query(
      "INSERT INTO flow_run_states (run_seq, type, name, at, message, version) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .run(seq, type, name, at, message, version);
}

/** A run's state history, oldest first, and its attempts with the version each ran. */
export function runHistory(
  store: Store,
  seq: number,
): { states: StateJson[]; attempts: AttemptJson[] } {
  const rows = sqlite(store)
    .query(
      "SELECT type, name, at, message, version FROM flow_run_states WHERE run_seq = ? ORDER BY id",
    )
    .all(seq) as {
    type: StateType;
    name: StateName;
    at: number;
    message: string;
    version: number | null;
  }[];
  const states = rows.map(({ version: _, ...r }) => ({ ...r, at: iso(r.at)! }));
  const attempts = attemptsOf(rows.map((r, i) => ({ ...r, at: states[i]!.at })));
  return { states, attempts };
}

/** A run's state history, oldest first. */
export function runStates(store: Store, seq: number): StateJson[] {
  return runHistory(store, seq).states;
}
