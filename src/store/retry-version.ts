/**
 * Which version a user's retry runs: the deployment's active one, unless the user asks for the
 * run's own. A retry is the same run's next attempt, so the run's version moves with it.
 */
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** The active version of a deployment, or null when it is removed (or gone). */
export function activeVersion(store: Store, deploymentId: number): number | null {
  const row = sqlite(store)
    .query("SELECT version, removed_at FROM deployments WHERE id = ?")
    .get(deploymentId) as { version: number; removed_at: number | null } | null;
  return row && row.removed_at === null ? row.version : null;
}

/** Make run `runSeq`'s next attempts run `version` of its deployment. */
export function setRunVersion(store: Store, runSeq: number, version: number): void {
  sqlite(store).query("UPDATE flow_runs SET version = ? WHERE seq = ?").run(version, runSeq);
}
