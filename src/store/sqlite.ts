import type { Database } from "bun:sqlite";
import { OrchError } from "../core/index.ts";
import type { Store } from "./open-store.ts";

/**
 * Each open store's connection. Why not a property of Store: every other folder would then be
 * one `store.db.query(...)` away from writing its own SQL; kept here, only store/ files (which
 * import this module by path; index.ts does not export it) can reach the connection.
 */
const connections = new WeakMap<Store, Database>();

/** Remember `db` as the connection of `store` (openStore does this once). */
export function bindConnection(store: Store, db: Database): void {
  connections.set(store, db);
}

/** The SQLite connection of a store: for the store's own queries only. */
export function sqlite(store: Store): Database {
  const db = connections.get(store);
  if (!db) throw new OrchError("E_INTERNAL", `${store.path} is not an open orch store`);
  return db;
}
