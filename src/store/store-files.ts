import { Database } from "bun:sqlite";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { OrchError } from "../core/index.ts";
import { type BackupReason, backupsDirOf, pruneBackups, writeBackup } from "./backups.ts";
import { SCHEMA_VERSION } from "./migrations.ts";

/** What `orch db check` found in a store file. */
export interface StoreCheck {
  path: string;
  size: number;
  /** The schema version it holds (null when unreadable), and the newest this orch knows. */
  schema: number | null;
  known_schema: number;
  /** "ok", or what SQLite's integrity check reports. */
  integrity: string[];
  /** Rows whose reference points nowhere (table, rowid, parent). */
  foreign_keys: { table: string; rowid: number | null; parent: string }[];
  /** A copy made the way a backup is, opened and checked again. */
  test_restore: { ok: boolean; message: string };
  ok: boolean;
}

function openExisting(path: string, readonly: boolean): Database {
  if (!existsSync(path)) {
    throw new OrchError("E_NOT_FOUND", `${path} does not exist`);
  }
  try {
    const db = new Database(path, readonly ? { readonly: true } : { readwrite: true });
    db.run("PRAGMA busy_timeout = 5000");
    return db;
  } catch (error) {
    throw new OrchError("E_BAD_INPUT", `${path} is not a database: ${(error as Error).message}`);
  }
}

/** The first bytes of every SQLite database file. */
const SQLITE_HEADER = "SQLite format 3\u0000";

/**
 * Refuse a file that is no SQLite database at all (SQLite itself opens anything, and then
 * fails each query with "file is not a database"): it cannot be an orch store or a backup.
 */
function assertSqliteFile(path: string): void {
  if (!existsSync(path)) throw new OrchError("E_NOT_FOUND", `${path} does not exist`);
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString("latin1") !== SQLITE_HEADER) {
    throw new OrchError(
      "E_BAD_INPUT",
      `${path} is not an orch store: it is ${statSync(path).size ? "not a SQLite database" : "empty"}; an orch store is a project's .orch/orch.db, or one of its backups in .orch/backups/`,
    );
  }
}

function schemaOf(db: Database, path: string): number {
  try {
    const row = db.query("SELECT max(version) AS v FROM schema_migrations").get() as {
      v: number | null;
    };
    return row.v ?? 0;
  } catch {
    throw new OrchError(
      "E_BAD_INPUT",
      `${path} is not an orch store (it has no schema_migrations)`,
    );
  }
}

/**
 * Check a store file without changing it: SQLite's full integrity check, the foreign keys, and
 * a test restore (a copy made the way backups are, opened and checked again). Safe while a
 * server writes to it: every step reads in its own snapshot.
 */
export function checkStoreFile(path: string): StoreCheck {
  assertSqliteFile(path);
  const db = openExisting(path, true);
  try {
    let schema: number | null = null;
    const problems: string[] = [];
    try {
      schema = schemaOf(db, path);
    } catch (error) {
      problems.push((error as Error).message);
    }
    // A badly damaged file makes the checks themselves fail: that is their finding, not a crash.
    let integrity: string[];
    let foreign_keys: StoreCheck["foreign_keys"];
    try {
      integrity = (db.query("PRAGMA integrity_check").all() as { integrity_check: string }[]).map(
        (r) => r.integrity_check,
      );
      if (problems.length) integrity = [...problems, ...integrity.filter((m) => m !== "ok")];
    } catch (error) {
      integrity = [...problems, (error as Error).message];
    }
    try {
      foreign_keys = db.query("PRAGMA foreign_key_check").all() as StoreCheck["foreign_keys"];
      foreign_keys = foreign_keys.map(({ table, rowid, parent }) => ({ table, rowid, parent }));
    } catch (error) {
      foreign_keys = [{ table: (error as Error).message, rowid: null, parent: "" }];
    }
    const test_restore = testRestore(db, schema);
    return {
      path,
      size: statSync(path).size,
      schema,
      known_schema: SCHEMA_VERSION,
      integrity,
      foreign_keys,
      test_restore,
      ok:
        integrity.length === 1 &&
        integrity[0] === "ok" &&
        foreign_keys.length === 0 &&
        test_restore.ok &&
        schema !== null &&
        schema <= SCHEMA_VERSION,
    };
  } finally {
    db.close();
  }
}

function testRestore(db: Database, schema: number | null): { ok: boolean; message: string } {
  const dir = mkdtempSync(join(tmpdir(), "orch-test-restore-"));
  try {
    const copy = join(dir, "orch.db");
    db.run("VACUUM INTO ?", [copy]);
    const restored = new Database(copy, { readonly: true });
    try {
      const quick = restored.query("PRAGMA quick_check").get() as { quick_check: string };
      const copied = schemaOf(restored, copy);
      if (quick.quick_check !== "ok") return { ok: false, message: quick.quick_check };
      if (copied !== schema)
        return { ok: false, message: `the copy holds schema ${copied}, not ${schema}` };
      return { ok: true, message: `a copy (${statSync(copy).size} bytes) opened and checked` };
    } finally {
      restored.close();
    }
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Copy the store at `dbPath` into its backups folder (or to `out`). Returns the copy's path. */
export function backupStoreFile(
  dbPath: string,
  options: { out?: string; reason?: BackupReason } = {},
): string {
  const db = openExisting(dbPath, true);
  try {
    const schema = schemaOf(db, dbPath);
    if (options.out) {
      writeBackupTo(db, options.out);
      return options.out;
    }
    const dir = backupsDirOf(dbPath);
    const path = writeBackup(db, dir, schema, options.reason ?? "manual");
    pruneBackups(dir);
    return path;
  } finally {
    db.close();
  }
}

/**
 * Copy the store into the file `out`, which must not exist yet in a folder that does. Each way
 * it can fail is the user's path to fix (exit 2), said with the path, never SQLite's bare error.
 */
function writeBackupTo(db: Database, out: string): void {
  const bad = (why: string) => new OrchError("E_BAD_INPUT", `--out ${out}: ${why}`);
  if (existsSync(out)) throw bad("it already exists; pick a new name, or remove it first");
  const folder = dirname(resolve(out));
  if (!existsSync(folder)) throw bad(`the folder ${folder} does not exist; create it first`);
  if (!statSync(folder).isDirectory()) throw bad(`${folder} is a file, not a folder`);
  try {
    db.run("VACUUM INTO ?", [out]);
  } catch (error) {
    const code = String((error as { code?: unknown }).code ?? "");
    const said = (error as Error).message;
    // Only a place it may not write is the user's path to fix; a full disk or an I/O error is not.
    if (/^SQLITE_(CANTOPEN|READONLY|PERM|AUTH)/.test(code)) {
      throw bad(`cannot write it (${said}); pick a folder you can write to`);
    }
    rmSync(out, { force: true });
    throw new OrchError(
      "E_INTERNAL",
      `could not write the backup ${out}: ${said}${code.startsWith("SQLITE_FULL") ? " (the disk is full: free some space and try again)" : ""}`,
    );
  }
  chmodSync(out, 0o600);
}

/** What a restore did. */
export interface RestoreResult {
  restored: string;
  schema: number;
  /** The store as it was just before, kept as a backup (null when there was none). */
  previous: string | null;
}

/**
 * Put the backup at `from` in place of the store at `dbPath`. The backup is checked first, and
 * the store it replaces is backed up (reason "restore"), so a restore is itself undoable. The
 * caller holds the project's server lock: nothing else may have the store open.
 */
export function restoreStoreFile(dbPath: string, from: string): RestoreResult {
  const check = checkStoreFile(from);
  if (check.schema !== null && check.schema > SCHEMA_VERSION) {
    throw new OrchError(
      "E_STORE_VERSION",
      `${from} holds schema version ${check.schema}, newer than this orch knows (${SCHEMA_VERSION}); restore it with the orch that wrote it`,
    );
  }
  if (!check.ok) {
    const why = [
      ...check.integrity.filter((m) => m !== "ok"),
      ...check.foreign_keys.map((f) => `${f.table} row ${f.rowid} points to a missing ${f.parent}`),
      ...(check.test_restore.ok ? [] : [`test restore: ${check.test_restore.message}`]),
    ];
    throw new OrchError("E_BAD_INPUT", `${from} did not pass its check: ${why.join("; ")}`);
  }
  let previous: string | null = null;
  if (existsSync(dbPath)) {
    const current = openExisting(dbPath, false);
    try {
      previous = writeBackup(current, backupsDirOf(dbPath), schemaOf(current, dbPath), "restore");
      // Fold the write-ahead log into the file, so none of it is left to replay onto the restored one.
      current.run("PRAGMA wal_checkpoint(TRUNCATE)");
    } finally {
      current.close();
    }
    pruneBackups(backupsDirOf(dbPath));
  }
  // Copied beside the store, then renamed over it: a crash midway leaves the old store whole.
  const staging = join(dirname(dbPath), ".orch.db.restoring");
  rmSync(staging, { force: true });
  const source = openExisting(from, true);
  try {
    source.run("VACUUM INTO ?", [staging]);
  } finally {
    source.close();
  }
  chmodSync(staging, 0o600);
  rmSync(`${dbPath}-wal`, { force: true });
  rmSync(`${dbPath}-shm`, { force: true });
  renameSync(staging, dbPath);
  return { restored: from, schema: check.schema ?? 0, previous };
}
