import { makesNewVersion } from "../core/index.ts";
import { type DeployInput, insertVersion, latestVersion } from "./deployment-versions.ts";
import { type DeploymentRow, getDeployment, getDeploymentOrThrow } from "./deployments.ts";
import { recordEvent } from "./events.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** What recording a definition did to its deployment. */
export type DeployChange = "created" | "updated" | "unchanged" | "restored";

/** What recording a definition did, and the rolled-back version it ended, if it ended one. */
export interface Upserted {
  deployment: DeploymentRow;
  change: DeployChange;
  /** A rollback this change ended: the version rolled back to, and the new one active now. */
  rollbackEnded?: { was: number; version: number };
}

/**
 * Record a deployment's definition: a new hash makes the next version, the same hash changes
 * nothing (the source position is kept current). Emits deployment.created or .updated.
 */
export function upsertDeployment(store: Store, input: DeployInput): Upserted {
  // The row is read back only when asked (when `deployment` is read): a deploy pass asks only
  // for the change, and reading each of thousands of deployments back with its version held the
  // server's thread.
  const result = (change: DeployChange, rollbackEnded?: Upserted["rollbackEnded"]): Upserted => ({
    change,
    ...(rollbackEnded !== undefined ? { rollbackEnded } : {}),
    get deployment() {
      return getDeployment(store, input.spec.name)!;
    },
  });
  return store.tx(() => {
    const now = store.clock.now();
    const existing = getDeployment(store, input.spec.name);
    const specJson = JSON.stringify(input.spec);
    if (!existing) {
      // Why no RETURNING: it costs several times the insert itself (a large project's first
      // start inserts thousands, on the server's thread).
      const { lastInsertRowid } = sqlite(store)
        .query(
          `INSERT INTO deployments (name, version, spec, source_file, source_line, created_at, updated_at)
           VALUES (?, 1, ?, ?, ?, ?, ?)`,
        )
        .run(input.spec.name, specJson, input.sourceFile, input.sourceLine, now, now);
      const id = Number(lastInsertRowid);
      insertVersion(store, id, 1, input, now);
      recordEvent(store, "deployment.created", input.spec.name, {
        version: 1,
        source: input.sourceFile,
      });
      return result("created");
    }
    const restored = existing.removed_at !== null;
    // A rolled-back deployment keeps its older version while its files are what they were when
    // it was rolled back; any other content is a change, and a new version (numbered after the
    // newest, not after the active one).
    const pinned = existing.rolled_back_from !== null && existing.rolled_back_from === input.hash;
    const changed = makesNewVersion(
      { hash: existing.hash, rolledBackFrom: existing.rolled_back_from },
      input.hash,
    );
    const version = changed ? latestVersion(store, existing.id) + 1 : existing.version;
    const moved =
      existing.source_file !== input.sourceFile || existing.source_line !== input.sourceLine;
    // The same definition at the same place (every deployment of a project at each start):
    // nothing to write.
    if (!changed && !restored && !moved && (pinned || existing.rolled_back_from === null))
      return result("unchanged");
    sqlite(store)
      .query(
        `UPDATE deployments SET version = ?, spec = ?, source_file = ?, source_line = ?,
           removed_at = NULL, updated_at = CASE WHEN ? THEN ? ELSE updated_at END,
           rolled_back_from = CASE WHEN ? THEN rolled_back_from ELSE NULL END WHERE id = ?`,
      )
      .run(
        version,
        changed ? specJson : existing.spec,
        input.sourceFile,
        input.sourceLine,
        changed || restored ? 1 : 0,
        now,
        pinned ? 1 : 0,
        existing.id,
      );
    if (changed) insertVersion(store, existing.id, version, input, now);
    const change: DeployChange = restored ? "restored" : changed ? "updated" : "unchanged";
    // A change while rolled back ends the rollback: said in the event, so no one learns it from
    // a run that behaves as the code rolled back from did.
    const rollbackEnded =
      changed && existing.rolled_back_from !== null
        ? { was: existing.version, version }
        : undefined;
    if (change !== "unchanged") {
      recordEvent(store, restored ? "deployment.created" : "deployment.updated", input.spec.name, {
        version,
        source: input.sourceFile,
        ...(rollbackEnded !== undefined ? { rollback_ended: rollbackEnded.was } : {}),
      });
    }
    return result(change, rollbackEnded);
  });
}

/**
 * Take a deployment out of scheduling: marked removed, its future scheduled runs cancelled.
 * Its runs and versions stay.
 */
export function removeDeployment(store: Store, name: string, reason: string): boolean {
  return store.tx(() => {
    const row = getDeployment(store, name);
    if (!row || row.removed_at !== null) return false;
    const now = store.clock.now();
    sqlite(store)
      .query("UPDATE deployments SET removed_at = ?, updated_at = ? WHERE id = ?")
      .run(now, now, row.id);
    recordEvent(store, "deployment.removed", name, { reason });
    return true;
  });
}

/** Pause or resume a deployment's schedules. Returns false when it already was. */
export function setDeploymentPaused(store: Store, name: string, paused: boolean): boolean {
  return store.tx(() => {
    const row = getDeploymentOrThrow(store, name);
    if ((row.paused === 1) === paused) return false;
    sqlite(store)
      .query("UPDATE deployments SET paused = ?, updated_at = ? WHERE id = ?")
      .run(paused ? 1 : 0, store.clock.now(), row.id);
    recordEvent(store, paused ? "deployment.paused" : "deployment.resumed", name, {});
    return true;
  });
}
