import type { Database } from "bun:sqlite";
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { VERSION } from "../core/index.ts";

/** Why a backup was written; only automatic ones are thinned out. */
export type BackupReason = "upgrade" | "manual" | "restore";

/** How many automatic backups (before an upgrade, before a restore) are kept. */
export const KEEP_BACKUPS = 5;

/** A backup file in `.orch/backups/`. */
export interface BackupFile {
  path: string;
  name: string;
  /** The schema version of the store it holds. */
  schema: number;
  /** The orch version that wrote it. */
  version: string;
  reason: BackupReason;
  size: number;
  /** When it was written (epoch ms). */
  at: number;
}

// orch-20261130T032600123Z-schema7-v0.1.0-upgrade.db: the time first, so names sort by age.
const NAME = /^orch-(\d{8}T\d{9}Z)-schema(\d+)-v(.+)-(upgrade|manual|restore)\.db$/;

/** The backups folder beside a store file: `.orch/backups/` for `.orch/orch.db`. */
export function backupsDirOf(dbPath: string): string {
  return join(dirname(dbPath), "backups");
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, "");
}

/**
 * Copy the database open on `db` into `dir` with SQLite's VACUUM INTO: a consistent snapshot
 * taken inside one read transaction, so the store stays usable (a server may go on writing)
 * and the copy is compact. The name carries the schema and orch versions. Returns its path.
 */
export function writeBackup(
  db: Database,
  dir: string,
  schema: number,
  reason: BackupReason,
  now = Date.now(),
): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let path = join(dir, `orch-${stamp(now)}-schema${schema}-v${VERSION}-${reason}.db`);
  // Two backups in one millisecond (tests, scripts): never overwrite, VACUUM INTO would refuse.
  for (let n = now + 1; existsSync(path); n++)
    path = join(dir, `orch-${stamp(n)}-schema${schema}-v${VERSION}-${reason}.db`);
  db.run("VACUUM INTO ?", [path]);
  chmodSync(path, 0o600);
  return path;
}

/** The backups in `dir`, oldest first (files orch did not name are left out). */
export function listBackups(dir: string): BackupFile[] {
  if (!existsSync(dir)) return [];
  const found: BackupFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    const m = NAME.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    const t = m[1]!;
    const iso = `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}.${t.slice(15, 18)}Z`;
    found.push({
      path,
      name,
      schema: Number(m[2]),
      version: m[3]!,
      reason: m[4] as BackupReason,
      size: statSync(path).size,
      at: Date.parse(iso),
    });
  }
  return found;
}

/**
 * Remove automatic backups beyond the newest `keep`. Backups a user asked for (`orch db
 * backup`) are theirs to remove: orch never deletes them.
 */
export function pruneBackups(dir: string, keep = KEEP_BACKUPS): string[] {
  const automatic = listBackups(dir).filter((b) => b.reason !== "manual");
  const removed = automatic.slice(0, Math.max(0, automatic.length - keep)).map((b) => b.path);
  for (const path of removed) rmSync(path, { force: true });
  return removed;
}
