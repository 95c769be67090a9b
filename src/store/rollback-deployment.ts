import { dirname } from "node:path";
import { type DeploymentSpec, OrchError } from "../core/index.ts";
import { listVersions } from "./deployment-versions.ts";
import { getDeploymentOrThrow } from "./deployments.ts";
import { recordEvent } from "./events.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** What a rollback did: the version active now, the one before, and the newest. */
export interface Rollback {
  name: string;
  version: number;
  from: number;
  latest: number;
  /** The folder whose every file the version covers (a command without `include:`), if so. */
  folder?: string;
}

/**
 * Make version `to` (default: the one before the active version) a deployment's active one:
 * its code and definition run from now on, until the deployment's files change (the deployer
 * then makes a new version). Its runs and versions stay. Emits deployment.updated.
 */
export function rollbackDeployment(store: Store, name: string, to?: number): Rollback {
  return store.tx(() => {
    const row = getDeploymentOrThrow(store, name);
    const versions = listVersions(store, row.id);
    const target = to ?? versions.find((v) => v.version < row.version)?.version;
    if (target === undefined) {
      throw new OrchError(
        "E_CONFLICT",
        `deployment ${name} has no version before v${row.version} to roll back to`,
      );
    }
    const version = versions.find((v) => v.version === target);
    if (!version) {
      throw new OrchError(
        "E_NOT_FOUND",
        `deployment ${name} has no version ${target} (it has ${versions.map((v) => `v${v.version}`).join(", ")})`,
      );
    }
    if (target === row.version) {
      throw new OrchError("E_CONFLICT", `v${target} is already the active version of ${name}`);
    }
    const latest = versions[0]!;
    // What the files say now is the newest version (or, rolled back before, what they said then).
    const from = row.rolled_back_from ?? latest.hash;
    sqlite(store)
      .query(
        "UPDATE deployments SET version = ?, spec = ?, rolled_back_from = ?, updated_at = ? WHERE id = ?",
      )
      .run(
        target,
        version.spec,
        target === latest.version ? null : from,
        store.clock.now(),
        row.id,
      );
    recordEvent(store, "deployment.updated", name, {
      version: target,
      source: row.source_file,
    });
    const done: Rollback = { name, version: target, from: row.version, latest: latest.version };
    // Why: then an edit to any file beside it (another job's script) ends the rollback.
    const spec = JSON.parse(version.spec) as DeploymentSpec;
    if (!spec.flow && !spec.include && row.source_file) {
      done.folder = `${dirname(row.source_file)}/`;
    }
    return done;
  });
}
