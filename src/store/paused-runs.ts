import type { Store } from "./open-store.ts";
import type { RunRow } from "./run-row.ts";
import { sqlite } from "./sqlite.ts";

// Paused runs whose pause has a timeout: found by flow_runs_paused (migration 8).

/** Paused runs whose timeout has come (paused_until at or before `now`), oldest first. */
export function pausedRunsDue(store: Store, now: number): RunRow[] {
  return sqlite(store)
    .query(
      "SELECT * FROM flow_runs WHERE state_type = 'PAUSED' AND paused_until <= ? ORDER BY paused_until",
    )
    .all(now) as RunRow[];
}

/** When the next paused run times out, or null when none waits with a timeout. */
export function nextPauseTimeout(store: Store): number | null {
  const row = sqlite(store)
    .query("SELECT min(paused_until) AS at FROM flow_runs WHERE state_type = 'PAUSED'")
    .get() as { at: number | null };
  return row.at;
}
