import type { BundleManifestJson } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** Record a bundle's manifest (once per hash). */
export function saveBundle(store: Store, bundle: BundleManifestJson): void {
  sqlite(store)
    .query("INSERT OR IGNORE INTO bundles (hash, manifest, size, created_at) VALUES (?, ?, ?, ?)")
    .run(bundle.hash, JSON.stringify(bundle.files), bundle.size, store.clock.now());
}

/** A bundle's manifest by hash, or null. */
export function getBundle(store: Store, hash: string): BundleManifestJson | null {
  const row = sqlite(store)
    .query("SELECT hash, manifest, size FROM bundles WHERE hash = ?")
    .get(hash) as {
    hash: string;
    manifest: string;
    size: number;
  } | null;
  return row ? { hash: row.hash, files: JSON.parse(row.manifest), size: row.size } : null;
}
