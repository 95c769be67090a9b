import { retryDelayAt } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import type { RunRow } from "./run-row.ts";
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

/**
 * The wait before a run's next retry: its deployment version's delay for that retry when the
 * definition gave a list (`retry_delay: [10s, 1m]`, read only here, when an attempt failed),
 * else the run's one delay.
 */
export function nextRetryDelay(
  store: Store,
  run: Pick<RunRow, "deployment_id" | "version" | "retries_used" | "retry_delay_ms">,
): number {
  if (run.deployment_id === null || run.version === null) return run.retry_delay_ms;
  const row = sqlite(store)
    .query(
      "SELECT json_extract(spec, '$.retry_delays_ms') AS delays FROM deployment_versions WHERE deployment_id = ? AND version = ?",
    )
    .get(run.deployment_id, run.version) as { delays: string | null } | null;
  if (!row?.delays) return run.retry_delay_ms;
  return retryDelayAt(JSON.parse(row.delays) as number[], run.retries_used + 1);
}
