import type { WorkPoolSpec } from "../core/index.ts";
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
 * Make `file`'s work pools exactly `pools` (in the caller's transaction), as a definition file
 * describes them: each pool's type, job template, limit, whether `orch up` serves it, and its
 * queues' priorities and limits (queues it does not list keep theirs). A pool the file declared
 * before and declares no more is undeclared (a deleted file's go with it: pass none). Records
 * work-pool.updated for each pool that changed, so waiting workers look again at once and
 * `orch up` starts or stops the worker it runs for the pool.
 */
export function setFilePools(store: Store, file: string, pools: WorkPoolSpec[]): void {
  store.tx(() => {
    const db = sqlite(store);
    const names = new Set(pools.map((p) => p.name));
    const before = db.query("SELECT name FROM work_pools WHERE source_file = ?").all(file) as {
      name: string;
    }[];
    for (const { name } of before) if (!names.has(name)) undeclarePool(store, name);
    for (const pool of pools) {
      const was = JSON.stringify(describePool(store, pool.name));
      ensureWorkPool(store, pool.name);
      setPoolLimit(store, pool.name, pool.concurrency);
      db.query(
        "UPDATE work_pools SET type = ?, job = ?, embedded = ?, source_file = ? WHERE name = ?",
      ).run(
        pool.type,
        pool.job ? JSON.stringify(pool.job) : null,
        pool.embedded ? 1 : 0,
        file,
        pool.name,
      );
      for (const q of pool.queues) {
        upsertWorkQueue(store, {
          pool: pool.name,
          name: q.name,
          priority: q.priority,
          limit: q.concurrency,
        });
      }
      if (JSON.stringify(describePool(store, pool.name)) !== was) {
        recordEvent(store, "work-pool.updated", pool.name, {
          type: pool.type,
          concurrency: pool.concurrency,
          queues: pool.queues,
        });
      }
    }
  });
}

/**
 * No file declares the pool any more: it goes back to what an undeclared pool is (a process
 * pool with no limits, that no `orch up` serves). Its rows stay, with what users set through
 * the API (a paused queue stays paused), and its runs' history with them; listings show it while
 * anything uses it.
 */
function undeclarePool(store: Store, name: string): void {
  const db = sqlite(store);
  db.query(
    "UPDATE work_pools SET type = NULL, job = NULL, concurrency_limit = NULL, embedded = 0, source_file = NULL WHERE name = ?",
  ).run(name);
  db.query("UPDATE work_queues SET priority = 1, concurrency_limit = NULL WHERE pool = ?").run(
    name,
  );
  recordEvent(store, "work-pool.updated", name, { type: null, concurrency: null, queues: [] });
}

/** The definition files that declare pools (to find the ones deleted while orch was not running). */
export function poolSourceFiles(store: Store): string[] {
  return (
    sqlite(store)
      .query("SELECT DISTINCT source_file FROM work_pools WHERE source_file IS NOT NULL")
      .all() as { source_file: string }[]
  ).map((r) => r.source_file);
}

function describePool(store: Store, name: string): unknown {
  return [
    sqlite(store)
      .query("SELECT concurrency_limit, type, job, embedded FROM work_pools WHERE name = ?")
      .get(name),
    sqlite(store)
      .query(
        "SELECT name, priority, concurrency_limit FROM work_queues WHERE pool = ? ORDER BY name",
      )
      .all(name),
  ];
}
