import { recordEvent } from "./events.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** Create a work pool and its `default` queue if they do not exist yet (idempotent). */
export function ensureWorkPool(store: Store, pool: string): void {
  store.tx(() => {
    const now = store.clock.now();
    sqlite(store)
      .query("INSERT OR IGNORE INTO work_pools (name, created_at) VALUES (?, ?)")
      .run(pool, now);
    sqlite(store)
      .query("INSERT OR IGNORE INTO work_queues (pool, name, created_at) VALUES (?, 'default', ?)")
      .run(pool, now);
  });
}

/** Set a pool's concurrency limit (null: none). */
export function setPoolLimit(store: Store, pool: string, limit: number | null): void {
  sqlite(store)
    .query("UPDATE work_pools SET concurrency_limit = ? WHERE name = ?")
    .run(limit, pool);
}

/** Create or change a queue of a pool: its priority (lower runs first) and concurrency limit. */
export function upsertWorkQueue(
  store: Store,
  input: { pool: string; name: string; priority?: number; limit?: number | null },
): void {
  sqlite(store)
    .query(
      `INSERT INTO work_queues (pool, name, priority, concurrency_limit, created_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (pool, name) DO UPDATE SET priority = excluded.priority,
         concurrency_limit = excluded.concurrency_limit`,
    )
    .run(input.pool, input.name, input.priority ?? 1, input.limit ?? null, store.clock.now());
}

/**
 * Set work pools as a definition file describes them: each pool's limit, its queues' priorities
 * and limits (queues it does not list keep theirs). Records work-pool.updated for each pool that
 * changed, so waiting workers look again at once.
 */
export function applyWorkPools(
  store: Store,
  pools: {
    name: string;
    type: string;
    job: Record<string, unknown> | null;
    concurrency: number | null;
    queues: { name: string; priority: number; concurrency: number | null }[];
  }[],
): void {
  store.tx(() => {
    for (const pool of pools) {
      const before = JSON.stringify(describePool(store, pool.name));
      ensureWorkPool(store, pool.name);
      setPoolLimit(store, pool.name, pool.concurrency);
      sqlite(store)
        .query("UPDATE work_pools SET type = ?, job = ? WHERE name = ?")
        .run(pool.type, pool.job ? JSON.stringify(pool.job) : null, pool.name);
      for (const q of pool.queues) {
        upsertWorkQueue(store, {
          pool: pool.name,
          name: q.name,
          priority: q.priority,
          limit: q.concurrency,
        });
      }
      if (JSON.stringify(describePool(store, pool.name)) !== before) {
        recordEvent(store, "work-pool.updated", pool.name, {
          type: pool.type,
          concurrency: pool.concurrency,
          queues: pool.queues,
        });
      }
    }
  });
}

function describePool(store: Store, name: string): unknown {
  return [
    sqlite(store)
      .query("SELECT concurrency_limit, type, job FROM work_pools WHERE name = ?")
      .get(name),
    sqlite(store)
      .query(
        "SELECT name, priority, concurrency_limit FROM work_queues WHERE pool = ? ORDER BY name",
      )
      .all(name),
  ];
}
