import type { Store } from "./open-store.ts";
import type { RunRow } from "./runs.ts";
import { sqlite } from "./sqlite.ts";

/**
 * Set how often a run's failed attempts are retried, and after how long. For an ad-hoc run
 * (`orch flow run`), whose flow reports the retries it declares only once its first attempt has
 * loaded it: the run exists before anything has read the flow. The orchestration rules read
 * these when an attempt fails, so they must be set before its final state is.
 */
export function setRunRetries(
  store: Store,
  run: Pick<RunRow, "seq">,
  retries: number,
  retryDelayMs: number,
): void {
  sqlite(store)
    .query("UPDATE flow_runs SET retries = ?, retry_delay_ms = ? WHERE seq = ?")
    .run(retries, retryDelayMs, run.seq);
}
