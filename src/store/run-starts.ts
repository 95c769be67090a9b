import type { Store } from "./open-store.ts";
import type { RunRow } from "./run-row.ts";
import { sqlite } from "./sqlite.ts";

/**
 * A remote worker's start, confirmed by the server before it starts a run's process. Why: a
 * worker lost while it held a PENDING run (silent past the timeout, or frozen) gives that run
 * back to the queue only when it cannot have started it; without a record of the start, a
 * worker that froze between starting the process and its RUNNING report reaching the server
 * would leave two copies running. The start is kept as the id of the run's latest state (its
 * PENDING) when the worker was let start: any later state makes it stale on its own, so no
 * transition has to clear it.
 */

const LATEST_STATE = "(SELECT max(id) FROM flow_run_states WHERE run_seq = flow_runs.seq)";

/** Let a PENDING run's worker start its process now. */
export function allowRunStart(store: Store, run: Pick<RunRow, "seq">): void {
  sqlite(store)
    .query(`UPDATE flow_runs SET start_state = ${LATEST_STATE} WHERE seq = ?`)
    .run(run.seq);
}

/** Whether the run's worker was let start its process in the run's current state. */
export function runStartAllowed(store: Store, run: Pick<RunRow, "seq">): boolean {
  const row = sqlite(store)
    .query(`SELECT start_state = ${LATEST_STATE} AS allowed FROM flow_runs WHERE seq = ?`)
    .get(run.seq) as { allowed: number | null } | null;
  return row?.allowed === 1;
}
