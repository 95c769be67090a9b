import type { DeploymentRunRequest } from "../definitions/index.ts";
import { type RunRow, recordEvent, type Store } from "../store/index.ts";

/**
 * How the scheduler makes a run of a deployment: createDeploymentRun (definitions/), passed in
 * by whoever starts the scheduler, so this folder does not import the one that imports it.
 */
export type CreateDeploymentRun = (
  store: Store,
  deployment: string,
  request: DeploymentRunRequest,
) => RunRow;

/** Runs a schedule made that never started: what planning may replace or remove. */
const UNSTARTED = `created_by = 'schedule' AND state_type = 'SCHEDULED'
  AND state_name IN ('Scheduled', 'Late') AND attempt = 0 AND started_at IS NULL`;

/** A deployment's never-started schedule runs, optionally only those after `after`. */
export function unstartedRuns(store: Store, deploymentId: number, after?: number): RunRow[] {
  return store.db
    .query(
      `SELECT * FROM flow_runs WHERE deployment_id = ? AND ${UNSTARTED} AND scheduled_at > ?
       ORDER BY scheduled_at`,
    )
    .all(deploymentId, after ?? Number.MIN_SAFE_INTEGER) as RunRow[];
}

/**
 * Names of deployments with a schedule slot in (`after`, `until`], whatever became of its run (a
 * worker may have claimed it already): those must plan further ahead.
 */
export function deploymentsDue(store: Store, after: number, until: number): string[] {
  const rows = store.db
    .query(
      `SELECT DISTINCT deployment FROM flow_runs
       WHERE created_by = 'schedule' AND scheduled_at > ? AND scheduled_at <= ?`,
    )
    .all(after, until) as { deployment: string }[];
  return rows.map((r) => r.deployment);
}

/**
 * Delete never-started schedule runs. Why delete rather than cancel: a planned run is a forecast
 * of the schedule, not history; replacing it on every redeploy, pause or removal would otherwise
 * fill `runs ls` with CANCELLED rows nobody asked for. Only runs the scheduler made and no worker
 * touched go (manual and triggered runs are never touched); their state and tag rows go with them
 * (ON DELETE CASCADE); a flow-run.deleted event tells live views. Call inside a transaction.
 */
export function deleteRuns(store: Store, runs: RunRow[]): void {
  const remove = store.db.query(`DELETE FROM flow_runs WHERE seq = ? AND ${UNSTARTED}`);
  for (const run of runs) {
    if (remove.run(run.seq).changes > 0) {
      recordEvent(store, "flow-run.deleted", run.id, {
        deployment: run.deployment,
        scheduled_at: new Date(run.scheduled_at).toISOString(),
      });
    }
  }
}

/** Whether a run with this idempotency key exists. */
export function slotTaken(store: Store, key: string): boolean {
  return store.db.query("SELECT 1 FROM flow_runs WHERE idempotency_key = ?").get(key) !== null;
}
