import type { RetentionSpec } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

// A project sets some things once for all its deployments, in any one definition file; the
// store keeps them by key, as JSON, so the server and `orch doctor` read the same.

function getSetting<T>(store: Store, key: string): T | null {
  const row = sqlite(store).query("SELECT value FROM settings WHERE key = ?").get(key) as {
    value: string;
  } | null;
  return row ? (JSON.parse(row.value) as T) : null;
}

function setSetting(store: Store, key: string, value: unknown): void {
  if (value === null) sqlite(store).query("DELETE FROM settings WHERE key = ?").run(key);
  else
    sqlite(store)
      .query(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      )
      .run(key, JSON.stringify(value));
}

/** The project's retention (`retention:` at the top of a definition file) and where it is set. */
export interface ProjectRetention {
  spec: RetentionSpec;
  /** The definition file that sets it: `flows/orch.yaml`. */
  source: string;
}

/** The project's retention, or null when no definition file sets one. */
export function projectRetention(store: Store): ProjectRetention | null {
  return getSetting<ProjectRetention>(store, "retention");
}

/** Set (or, with null, clear) the project's retention. */
export function setProjectRetention(store: Store, retention: ProjectRetention | null): void {
  setSetting(store, "retention", retention);
}
