import { Database } from "bun:sqlite";
import { chmodSync, existsSync } from "node:fs";
import { type Clock, OrchError, systemClock, VERSION } from "../core/index.ts";
import { backupsDirOf, pruneBackups, writeBackup } from "./backups.ts";
import { createCommitCallbacks } from "./commit-callbacks.ts";
import type { EventRow } from "./events.ts";
import { MIGRATIONS, type Migration } from "./migrations.ts";
import { seedRunIds } from "./run-ids.ts";
import { bindConnection, sqlite } from "./sqlite.ts";

/** An open orch database: the connection, the clock every write stamps with. */
export interface Store {
  readonly path: string;
  readonly clock: Clock;
  /** Run `fn` in one immediate transaction; a nested call is a savepoint inside the outer one. */
  tx<T>(fn: () => T): T;
  /**
   * Run `fn` once the current transaction commits (at once outside one; never on rollback). A
   * throw is reported, not raised. `first`: ahead of those without it (a run's process starts
   * before the news of its states goes out, and runs while it does).
   */
  afterCommit(fn: () => void, first?: boolean): void;
  /**
   * Call `listener` with every event recorded, once its transaction commits; returns the
   * unsubscribe. `live`: a listener that carries the news to a client (an event stream, a run's
   * log stream) hears of each event ahead of the others.
   */
  subscribe(listener: (event: EventRow) => void, options?: { live?: boolean }): () => void;
  /** Tell the listeners of an event recorded in the current transaction (recordEvent), once it commits. */
  publish(event: EventRow): void;
  /**
   * Call `listener` with the runs whose log lines were just stored, once their transaction
   * commits, with the live listeners (lines and the state that ends them go out in the order
   * they were written); returns the unsubscribe.
   */
  watchLogs(listener: (runSeqs: number[]) => void): () => void;
  /** Tell the log watchers of lines stored in the current transaction (appendLogs). */
  publishLogs(runSeqs: number[]): void;
  /** What opening it migrated (null when the schema was current or the store new). */
  readonly upgraded: StoreUpgrade | null;
  close(): void;
}

/** An upgrade done on open: the schema versions, and the copy of the store from before. */
export interface StoreUpgrade {
  from: number;
  to: number;
  /** The backup written first (null when backups are off). */
  backup: string | null;
}

export interface OpenStoreOptions {
  clock?: Clock;
  /** Where an error thrown by a listener goes (default: stderr); it never reaches the writer. */
  onListenerError?: (error: unknown) => void;
  /** The migrations to apply; tests pass a prefix to make an old database. */
  migrations?: readonly Migration[];
  /**
   * Where to copy an existing store before migrating it (default: `backups/` beside the file),
   * or false for no copy.
   */
  backupsDir?: string | false;
  /**
   * Open an existing store read-only, to report on it beside a running server (no migration:
   * a store of another schema version is refused).
   */
  readonly?: boolean;
}

/**
 * Open (or create) the database at `path`: WAL, foreign keys, and every pending migration
 * applied in one transaction. A database written by a newer orch is refused, untouched.
 */
export function openStore(path: string, options: OpenStoreOptions = {}): Store {
  const migrations = options.migrations ?? MIGRATIONS;
  const fresh = path === ":memory:" || !existsSync(path);
  if (options.readonly && fresh) throw new OrchError("E_NOT_FOUND", `${path} does not exist`);
  const db = options.readonly
    ? new Database(path, { readonly: true, strict: true })
    : new Database(path, { create: true, strict: true });
  let upgraded: StoreUpgrade | null = null;
  try {
    db.run("PRAGMA busy_timeout = 5000");
    if (options.readonly) checkReadable(db, path, migrations);
    // Incremental auto-vacuum lets retention give freed pages back to the file system in small
    // steps. It can only be chosen before the file's first page is written (WAL mode writes it);
    // older stores switch over once (see convertToIncrementalVacuum) after their migrations.
    else {
      if (fresh) db.run("PRAGMA auto_vacuum = INCREMENTAL");
      db.run("PRAGMA journal_mode = WAL");
      db.run("PRAGMA synchronous = NORMAL");
      // Savepoints (a nested tx: every run created inside a planning batch) keep the pages they
      // may roll back in memory, not in a temporary file: planning a large project's runs was
      // three times slower with a file. Temporary tables and sorts stay in memory too.
      db.run("PRAGMA temp_store = MEMORY");
      db.run("PRAGMA foreign_keys = ON");
      if (fresh && path !== ":memory:") chmodSync(path, 0o600);
      const backupsDir = options.backupsDir ?? (path === ":memory:" ? false : backupsDirOf(path));
      upgraded = migrate(db, path, migrations, backupsDir);
      if (!fresh) convertToIncrementalVacuum(db);
      // A new store starts without free pages (some migrations drop what earlier ones made), so
      // its file grows with what is written from the first run on.
      else db.run("PRAGMA incremental_vacuum");
      const newest = db.query("SELECT id FROM flow_runs ORDER BY seq DESC LIMIT 1").get() as {
        id: string;
      } | null;
      seedRunIds(newest?.id);
    }
  } catch (error) {
    db.close();
    throw error;
  }
  const clock = options.clock ?? systemClock;
  const callbacks = createCommitCallbacks(
    () => db.inTransaction,
    options.onListenerError ??
      ((error: unknown) =>
        process.stderr.write(
          `orch: a store listener failed: ${(error as Error)?.stack ?? error}\n`,
        )),
  );
  // The transaction's statements, prepared once (and finalized by close, as every query() is):
  // db.transaction(fn) would build five wrappers for each call, a few percent of the server's
  // time per run, where every run takes several.
  const control = {
    begin: db.query("BEGIN IMMEDIATE"),
    commit: db.query("COMMIT"),
    rollback: db.query("ROLLBACK"),
    savepoint: db.query("SAVEPOINT orch_tx"),
    release: db.query("RELEASE orch_tx"),
    rollbackTo: db.query("ROLLBACK TO orch_tx"),
  };
  /** Run `fn` between `begin` and `end`; on a throw, undo what it wrote (if SQLite has not). */
  const within = <T>(fn: () => T, nested: boolean): T => {
    (nested ? control.savepoint : control.begin).run();
    try {
      const result = fn();
      (nested ? control.release : control.commit).run();
      return result;
    } catch (error) {
      if (db.inTransaction) {
        if (nested) {
          control.rollbackTo.run();
          control.release.run();
        } else control.rollback.run();
      }
      throw error;
    }
  };
  const tx = <T>(fn: () => T): T => {
    if (db.inTransaction) {
      // Nested: a savepoint, so a failure inside undoes its own writes (and their callbacks) only.
      const marks = callbacks.mark();
      try {
        return within(fn, true);
      } catch (error) {
        callbacks.dropSince(marks);
        throw error;
      }
    }
    let result: T;
    try {
      result = within(fn, false);
    } catch (error) {
      callbacks.dropAll();
      throw error;
    }
    callbacks.runAll();
    return result;
  };
  const store: Store = {
    path,
    clock,
    tx,
    afterCommit: callbacks.afterCommit,
    subscribe: callbacks.subscribe,
    publish: callbacks.publish,
    watchLogs: callbacks.watchLogs,
    publishLogs: callbacks.publishLogs,
    upgraded,
    close: () => db.close(),
  };
  bindConnection(store, db);
  return store;
}

function migrate(
  db: Database,
  path: string,
  migrations: readonly Migration[],
  backupsDir: string | false,
): StoreUpgrade | null {
  db.run(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
  );
  const row = db.query("SELECT max(version) AS v FROM schema_migrations").get() as {
    v: number | null;
  };
  const current = row.v ?? 0;
  const known = migrations.at(-1)?.version ?? 0;
  if (current > known) {
    throw new OrchError(
      "E_STORE_VERSION",
      `${path} has schema version ${current}, newer than this orch ${VERSION} knows (${known}). ` +
        "Upgrade orch, or set ORCH_HOME to use another data directory.",
    );
  }
  const pending = migrations.filter((m) => m.version > current);
  if (!pending.length) return null;
  // A store with data is copied before it changes: should the new orch misbehave later, the
  // copy from before is one `orch db restore` away (with the orch that wrote it).
  const backup = current > 0 && backupsDir ? writeBackup(db, backupsDir, current, "upgrade") : null;
  if (backup && backupsDir) pruneBackups(backupsDir);
  let failed: Migration | undefined;
  try {
    // One transaction for all of them: a failure rolls every one back, so the file is left as
    // the previous orch wrote it and that orch still opens it.
    db.transaction(() => {
      for (const m of pending) {
        failed = m;
        db.run(m.sql);
        db.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
          m.version,
          m.name,
          Date.now(),
        );
      }
    }).immediate();
  } catch (error) {
    if (!failed || current === 0) throw error;
    const goBack = backup
      ? ` A copy made just before is at ${backup} (orch db restore restores a copy).`
      : "";
    throw new OrchError(
      "E_STORE_VERSION",
      `upgrading ${path} failed at migration ${failed.version} (${failed.name}): ${(error as Error).message}. ` +
        `Nothing was changed: the store is still at schema version ${current}, as the orch you used before wrote it; ` +
        `go on with that version, and report this failure.${goBack}`,
    );
  }
  return current > 0 ? { from: current, to: known, backup } : null;
}

/** A read-only open: the store must be at this orch's schema (nothing can be migrated). */
function checkReadable(db: Database, path: string, migrations: readonly Migration[]): void {
  let current = 0;
  try {
    current =
      (db.query("SELECT max(version) AS v FROM schema_migrations").get() as { v: number | null })
        .v ?? 0;
  } catch {
    throw new OrchError("E_BAD_INPUT", `${path} is not an orch store`);
  }
  const known = migrations.at(-1)?.version ?? 0;
  if (current !== known) {
    throw new OrchError(
      "E_STORE_VERSION",
      `${path} has schema version ${current}, and this orch ${VERSION} reads ${known}; ${current < known ? "start orch once (orch up) to upgrade it" : "upgrade orch"}`,
    );
  }
}

/**
 * Switch a store made before incremental auto-vacuum to it: the setting takes effect only
 * through a full VACUUM, done once here (a store already switched skips it).
 */
function convertToIncrementalVacuum(db: Database): void {
  const { auto_vacuum } = db.query("PRAGMA auto_vacuum").get() as { auto_vacuum: number };
  if (auto_vacuum === 2) return;
  db.run("PRAGMA auto_vacuum = INCREMENTAL");
  db.run("VACUUM");
}

/** The schema version recorded in a store. */
export function schemaVersion(store: Store): number {
  const row = sqlite(store).query("SELECT max(version) AS v FROM schema_migrations").get() as {
    v: number | null;
  };
  return row.v ?? 0;
}
