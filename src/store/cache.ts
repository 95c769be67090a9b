/**
 * The task cache: values of cached tasks by task name and key, shared by every run (and, through
 * the API, every worker). An entry past its expiry is a miss, and is deleted when it is met.
 */
import { type CacheEntryJson, iso } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";
import { parseStored } from "./stored-values.ts";

/** A cache entry as stored; `value` is its envelope (see stored-values.ts). */
export interface CacheRow {
  task: string;
  key: string;
  value: string;
  size: number;
  run_id: string | null;
  created_at: number;
  expires_at: number | null;
}

/** The JSON shape of an entry (without its value). */
export function cacheEntryToJson(row: CacheRow): CacheEntryJson {
  const stored = parseStored(row.value);
  return {
    task: row.task,
    key: row.key,
    size: row.size,
    file: "file" in stored ? stored.file : null,
    run_id: row.run_id,
    created_at: iso(row.created_at)!,
    expires_at: iso(row.expires_at),
  };
}

/** A live entry of `task` under `key`, or null (an expired one is deleted on the way). */
export function getCacheEntry(store: Store, task: string, key: string): CacheRow | null {
  const db = sqlite(store);
  const row = db
    .query("SELECT * FROM cache_entries WHERE task = ? AND key = ?")
    .get(task, key) as CacheRow | null;
  if (row && row.expires_at !== null && row.expires_at <= store.clock.now()) {
    db.query("DELETE FROM cache_entries WHERE task = ? AND key = ? AND expires_at <= ?").run(
      task,
      key,
      store.clock.now(),
    );
    return null;
  }
  return row;
}

/** Keep (or replace) an entry, valid for `expiresInMs` from now (null: until cleared). */
export function putCacheEntry(
  store: Store,
  entry: Omit<CacheRow, "created_at" | "expires_at">,
  expiresInMs: number | null,
): CacheRow {
  const now = store.clock.now();
  const row = {
    ...entry,
    created_at: now,
    expires_at: expiresInMs === null ? null : now + expiresInMs,
  };
  sqlite(store)
    .query(
      `INSERT INTO cache_entries (task, key, value, size, run_id, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (task, key) DO UPDATE SET value = excluded.value, size = excluded.size,
         run_id = excluded.run_id, created_at = excluded.created_at, expires_at = excluded.expires_at`,
    )
    .run(row.task, row.key, row.value, row.size, row.run_id, row.created_at, row.expires_at);
  return row;
}

/** Entries (all, or one task's), newest first; expired ones too, until they are met or cleared. */
export function listCacheEntries(store: Store, task?: string): CacheRow[] {
  const db = sqlite(store);
  return (
    task === undefined
      ? db.query("SELECT * FROM cache_entries ORDER BY created_at DESC, task, key").all()
      : db
          .query("SELECT * FROM cache_entries WHERE task = ? ORDER BY created_at DESC, key")
          .all(task)
  ) as CacheRow[];
}

/** Delete entries (all, or one task's); returns how many went. */
export function clearCache(store: Store, task?: string): number {
  const db = sqlite(store);
  const result =
    task === undefined
      ? db.query("DELETE FROM cache_entries").run()
      : db.query("DELETE FROM cache_entries WHERE task = ?").run(task);
  return result.changes;
}
