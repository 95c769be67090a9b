import type { Store } from "./open-store.ts";

/** Create a work pool and its `default` queue if they do not exist yet (idempotent). */
export function ensureWorkPool(store: Store, pool: string): void {
  store.tx(() => {
    const now = store.clock.now();
    store.db
      .query("INSERT OR IGNORE INTO work_pools (name, created_at) VALUES (?, ?)")
      .run(pool, now);
    store.db
      .query("INSERT OR IGNORE INTO work_queues (pool, name, created_at) VALUES (?, 'default', ?)")
      .run(pool, now);
  });
}

/** Create the `default` pool and its `default` queue, which the embedded worker serves. */
export function ensureDefaultPool(store: Store): void {
  ensureWorkPool(store, "default");
}

/** Set a pool's concurrency limit (null: none). */
export function setPoolLimit(store: Store, pool: string, limit: number | null): void {
  store.db.query("UPDATE work_pools SET concurrency_limit = ? WHERE name = ?").run(limit, pool);
}

/** Create or change a queue of a pool: its priority (lower runs first) and concurrency limit. */
export function upsertWorkQueue(
  store: Store,
  input: { pool: string; name: string; priority?: number; limit?: number | null },
): void {
  store.db
    .query(
      `INSERT INTO work_queues (pool, name, priority, concurrency_limit, created_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (pool, name) DO UPDATE SET priority = excluded.priority,
         concurrency_limit = excluded.concurrency_limit`,
    )
    .run(input.pool, input.name, input.priority ?? 1, input.limit ?? null, store.clock.now());
}
