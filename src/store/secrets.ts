import { iso } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** A secret as listed: its name and when it changed, never its value. */
export interface SecretInfo {
  name: string;
  created_at: string;
  updated_at: string;
}

/** Store a secret's encrypted value (created, or replaced). */
export function putSecret(store: Store, name: string, sealed: Uint8Array): void {
  const now = store.clock.now();
  sqlite(store)
    .query(
      `INSERT INTO secrets (name, value, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    )
    .run(name, sealed, now, now);
}

/** Secrets by name, without their values. */
export function listSecrets(store: Store): SecretInfo[] {
  const rows = sqlite(store)
    .query("SELECT name, created_at, updated_at FROM secrets ORDER BY name")
    .all() as { name: string; created_at: number; updated_at: number }[];
  return rows.map((r) => ({
    name: r.name,
    created_at: iso(r.created_at)!,
    updated_at: iso(r.updated_at)!,
  }));
}

/** The names of every secret (a deploy checks its definitions' references against them). */
export function secretNames(store: Store): Set<string> {
  const rows = sqlite(store).query("SELECT name FROM secrets").all() as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

/** The encrypted values of the secrets named (those that exist), by name. */
export function sealedSecrets(store: Store, names: readonly string[]): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  const query = sqlite(store).query("SELECT value FROM secrets WHERE name = ?");
  for (const name of names) {
    const row = query.get(name) as { value: Uint8Array } | null;
    if (row) found.set(name, row.value);
  }
  return found;
}

/** Remove a secret; false when there was none. */
export function deleteSecret(store: Store, name: string): boolean {
  return sqlite(store).query("DELETE FROM secrets WHERE name = ?").run(name).changes > 0;
}
