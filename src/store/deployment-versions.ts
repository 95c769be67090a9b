import type { DeploymentSpec } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** A definition to record: its spec, content hash, bundle and where it is defined. */
export interface DeployInput {
  spec: DeploymentSpec;
  /** The content hash of the definition and its bundle. */
  hash: string;
  bundle: string | null;
  sourceFile: string;
  sourceLine: number;
  /** The files its runs use (path to content hash), to tell what changed between versions. */
  files?: Record<string, string>;
}

/** One version of a deployment. */
export interface VersionRow {
  version: number;
  hash: string;
  spec: string;
  bundle: string | null;
  created_at: number;
  /** JSON: the files its runs use, path to content hash (null for versions made before). */
  files?: string | null;
}

/** A deployment's versions, newest first. */
export function listVersions(store: Store, deploymentId: number): VersionRow[] {
  return sqlite(store)
    .query(
      "SELECT version, hash, spec, bundle, created_at, files FROM deployment_versions WHERE deployment_id = ? ORDER BY version DESC",
    )
    .all(deploymentId) as VersionRow[];
}

/** One version of a deployment, or null. */
export function getVersion(store: Store, deploymentId: number, version: number): VersionRow | null {
  return sqlite(store)
    .query(
      "SELECT version, hash, spec, bundle, created_at FROM deployment_versions WHERE deployment_id = ? AND version = ?",
    )
    .get(deploymentId, version) as VersionRow | null;
}

/** The highest version number a deployment has had. */
export function latestVersion(store: Store, id: number): number {
  const row = sqlite(store)
    .query("SELECT max(version) AS v FROM deployment_versions WHERE deployment_id = ?")
    .get(id) as { v: number | null };
  return row.v ?? 0;
}

/** Record a deployment's new version: its definition, bundle and the files its runs use. */
export function insertVersion(
  store: Store,
  id: number,
  version: number,
  input: DeployInput,
  now: number,
) {
  sqlite(store)
    .query(
      "INSERT INTO deployment_versions (deployment_id, version, hash, spec, bundle, created_at, files) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .run(
      id,
      version,
      input.hash,
      JSON.stringify(input.spec),
      input.bundle,
      now,
      input.files ? JSON.stringify(input.files) : null,
    );
}
