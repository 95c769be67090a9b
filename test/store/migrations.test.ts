import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { MIGRATIONS, openStore, SCHEMA_VERSION, schemaVersion } from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { tempDir } from "../helpers.ts";

let cleanup = () => {};
afterEach(() => cleanup());

function dbPath(): string {
  const t = tempDir();
  cleanup = t.cleanup;
  return join(t.dir, "orch.db");
}

test("a new database gets every migration, recorded", () => {
  const store = openStore(dbPath());
  expect(schemaVersion(store)).toBe(SCHEMA_VERSION);
  const recorded = rawSqliteForTests(store)
    .query("SELECT version FROM schema_migrations ORDER BY version")
    .all();
  expect(recorded).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
  expect(rawSqliteForTests(store).query("PRAGMA journal_mode").get()).toEqual({
    journal_mode: "wal",
  });
  store.close();
});

test("an old database is upgraded in place and keeps its data", () => {
  const path = dbPath();
  const old = openStore(path, { migrations: MIGRATIONS.slice(0, 1) });
  expect(schemaVersion(old)).toBe(1);
  rawSqliteForTests(old)
    .query(
      "INSERT INTO flow_runs (id, state_type, state_name, state_at, scheduled_at, created_at) VALUES ('r1', 'COMPLETED', 'Completed', 1, 1, 1)",
    )
    .run();
  expect(() => rawSqliteForTests(old).query("SELECT * FROM events").all()).toThrow(/no such table/);
  old.close();

  const upgraded = openStore(path);
  expect(schemaVersion(upgraded)).toBe(SCHEMA_VERSION);
  expect(rawSqliteForTests(upgraded).query("SELECT id, state_type FROM flow_runs").all()).toEqual([
    { id: "r1", state_type: "COMPLETED" },
  ]);
  expect(rawSqliteForTests(upgraded).query("SELECT count(*) AS n FROM events").get()).toEqual({
    n: 0,
  });
  upgraded.close();
});

test("a database from a newer orch is refused with a clear message and left untouched", () => {
  const path = dbPath();
  const store = openStore(path);
  rawSqliteForTests(store)
    .query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)")
    .run();
  rawSqliteForTests(store).run("PRAGMA wal_checkpoint(TRUNCATE)");
  store.close();
  const before = readFileSync(path);

  expect(() => openStore(path)).toThrow(
    new RegExp(`schema version 99, newer than this orch .* knows \\(${SCHEMA_VERSION}\\)`),
  );
  expect(readFileSync(path).equals(before)).toBe(true);
});

test("a migration that fails applies nothing", () => {
  const path = dbPath();
  const broken = [
    ...MIGRATIONS,
    { version: SCHEMA_VERSION + 1, name: "ok", sql: "CREATE TABLE extra (x INTEGER);" },
    { version: SCHEMA_VERSION + 2, name: "broken", sql: "CREATE TABLE nope (;" },
  ];
  const fresh = openStore(path, { migrations: MIGRATIONS.slice(0, 1) });
  fresh.close();
  expect(() => openStore(path, { migrations: broken })).toThrow();
  const store = openStore(path, { migrations: MIGRATIONS.slice(0, 1) });
  expect(schemaVersion(store)).toBe(1);
  expect(() => rawSqliteForTests(store).query("SELECT * FROM extra").all()).toThrow(
    /no such table/,
  );
  store.close();
});
