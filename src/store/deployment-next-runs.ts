import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/**
 * The earliest scheduled run of one deployment, or null. Why not nextRunTimes for one: that
 * reads every waiting run of the project (tens of milliseconds at 5,000 deployments), and
 * clients ask for one deployment at a time while a large project loads.
 */
export function nextRunAt(store: Store, deploymentId: number): number | null {
  const row = sqlite(store)
    .query(
      "SELECT min(scheduled_at) AS at FROM flow_runs WHERE deployment_id = ? AND state_type = 'SCHEDULED'",
    )
    .get(deploymentId) as { at: number | null };
  return row.at;
}

/** The earliest scheduled run of each deployment, by deployment id. */
export function nextRunTimes(store: Store): Map<number, number> {
  const rows = sqlite(store)
    .query(
      "SELECT deployment_id AS id, min(scheduled_at) AS at FROM flow_runs WHERE state_type = 'SCHEDULED' AND deployment_id IS NOT NULL GROUP BY deployment_id",
    )
    .all() as { id: number; at: number }[];
  return new Map(rows.map((r) => [r.id, r.at]));
}
