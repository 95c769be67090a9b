import type { Client, RunJson } from "../client/index.ts";

/**
 * Why a run just triggered will wait: its pool has no worker online, or is paused. Said as the
 * run is triggered, so a run in a pool nobody serves does not wait in silence; null when nothing
 * holds it, when it is not due yet, or when its pool cannot be read (the run is made either way).
 */
export async function poolHint(client: Client, run: RunJson): Promise<string | null> {
  if (run.state !== "SCHEDULED" || Date.parse(run.scheduled_at ?? "") > Date.now() + 1000) {
    return null;
  }
  const pool = await client.getPool(run.work_pool).catch(() => null);
  const id = run.id.slice(0, 8);
  if (pool?.paused) {
    return `pool ${pool.name} is paused: run ${id} waits until the pool is resumed`;
  }
  if (pool?.workers === 0) {
    return `no worker is online for pool ${pool.name}: run ${id} waits until one starts (orch worker --pool ${pool.name} here, or with --api URL on another machine)`;
  }
  return null;
}
