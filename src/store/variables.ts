import { iso } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** A variable: a shared, non-secret value that definitions and flows read by name. */
export interface VariableInfo {
  name: string;
  value: string;
  created_at: string;
  updated_at: string;
}

interface VariableRow {
  name: string;
  value: string;
  created_at: number;
  updated_at: number;
}

const toInfo = (r: VariableRow): VariableInfo => ({
  name: r.name,
  value: r.value,
  created_at: iso(r.created_at)!,
  updated_at: iso(r.updated_at)!,
});

/** Set a variable (created, or replaced); returns it as stored. */
export function putVariable(store: Store, name: string, value: string): VariableInfo {
  const now = store.clock.now();
  const row = sqlite(store)
    .query(
      `INSERT INTO variables (name, value, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
       RETURNING *`,
    )
    .get(name, value, now, now) as VariableRow;
  return toInfo(row);
}

/** A variable by name, or null. */
export function getVariable(store: Store, name: string): VariableInfo | null {
  const row = sqlite(store)
    .query("SELECT * FROM variables WHERE name = ?")
    .get(name) as VariableRow | null;
  return row ? toInfo(row) : null;
}

/** Every variable, by name. */
export function listVariables(store: Store): VariableInfo[] {
  const rows = sqlite(store).query("SELECT * FROM variables ORDER BY name").all() as VariableRow[];
  return rows.map(toInfo);
}

/** The values of the variables named (those that exist), by name. */
export function variableValues(store: Store, names: readonly string[]): Record<string, string> {
  const found: Record<string, string> = {};
  const query = sqlite(store).query("SELECT value FROM variables WHERE name = ?");
  for (const name of names) {
    const row = query.get(name) as { value: string } | null;
    if (row) found[name] = row.value;
  }
  return found;
}

/** Remove a variable; false when there was none. */
export function deleteVariable(store: Store, name: string): boolean {
  return sqlite(store).query("DELETE FROM variables WHERE name = ?").run(name).changes > 0;
}
