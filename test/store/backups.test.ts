import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, expect, test } from "vitest";
import { runListedAt } from "../../src/core/index.ts";
import {
  backupStoreFile,
  backupsDirOf,
  checkStoreFile,
  createRun,
  KEEP_BACKUPS,
  listBackups,
  listRuns,
  MIGRATIONS,
  openStore,
  restoreStoreFile,
  SCHEMA_VERSION,
  schemaVersion,
} from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { tempDir } from "../helpers.ts";

/** A store written by orch 0.1.0 (schema 7): two deployments, three runs, one event emitted. */
const FIXTURE = resolve(import.meta.dirname, "../fixtures/store-schema-7.db");
const FIXTURE_SCHEMA = 7;

let cleanup = () => {};
afterEach(() => cleanup());

/** The fixture copied to `<tmp>/.orch/orch.db`, as a user's project would hold it. */
function oldStore(): string {
  const t = tempDir();
  cleanup = t.cleanup;
  mkdirSync(join(t.dir, ".orch"));
  const path = join(t.dir, ".orch", "orch.db");
  copyFileSync(FIXTURE, path);
  return path;
}

/** The runs an older orch's store holds, read as that orch would (without this build's columns). */
const storedRuns = (store: ReturnType<typeof openStore>) =>
  (rawSqliteForTests(store).query("SELECT count(*) AS n FROM flow_runs").get() as { n: number }).n;

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

test("a store from the previous release is backed up, then upgraded with its data", () => {
  const path = oldStore();
  const store = openStore(path);
  expect(store.upgraded).toMatchObject({ from: FIXTURE_SCHEMA, to: SCHEMA_VERSION });
  expect(schemaVersion(store)).toBe(SCHEMA_VERSION);
  const runs = listRuns(store, { limit: 10 }).map((r) => `${r.deployment}:${r.state_type}`);
  expect(runs.sort()).toEqual(["broken:FAILED", "hello:COMPLETED", "hello:SCHEDULED"]);
  // Each run keeps its place in the listings (migration 25 sets listed_at by the rule).
  for (const run of listRuns(store, { limit: 10 })) expect(run.listed_at).toBe(runListedAt(run));
  // Switched to incremental auto-vacuum, so retention can shrink it.
  expect(rawSqliteForTests(store).query("PRAGMA auto_vacuum").get()).toEqual({ auto_vacuum: 2 });
  store.close();

  const backups = listBackups(join(path, "..", "backups"));
  expect(backups).toHaveLength(1);
  expect(backups[0]!.path).toBe(store.upgraded!.backup);
  expect(backups[0]!.name).toMatch(/^orch-\d{8}T\d{9}Z-schema7-v\d+\.\d+\.\d+.*-upgrade\.db$/);
  expect(backups[0]).toMatchObject({ schema: FIXTURE_SCHEMA, reason: "upgrade" });
  // The backup is the old store, whole: the previous orch opens it as it was.
  const copy = openStore(backups[0]!.path, {
    migrations: MIGRATIONS.filter((m) => m.version <= FIXTURE_SCHEMA),
    backupsDir: false,
  });
  expect(copy.upgraded).toBeNull();
  expect(storedRuns(copy)).toBe(3);
  copy.close();

  // Opening it again migrates nothing and copies nothing.
  const again = openStore(path);
  expect(again.upgraded).toBeNull();
  again.close();
  expect(listBackups(backupsDirOf(path))).toHaveLength(1);
});

test("a failed migration leaves the old file as it was, and says how to go back", () => {
  const path = oldStore();
  const before = sha(path);
  const failing = [
    ...MIGRATIONS,
    { version: SCHEMA_VERSION + 1, name: "add a table", sql: "CREATE TABLE extra (x INTEGER);" },
    { version: SCHEMA_VERSION + 2, name: "a broken one", sql: "ALTER TABLE nowhere ADD x;" },
  ];
  let message = "";
  try {
    openStore(path, { migrations: failing });
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(
    new RegExp(`failed at migration ${SCHEMA_VERSION + 2} \\(a broken one\\): no such table`),
  );
  expect(message).toContain(`still at schema version ${FIXTURE_SCHEMA}`);
  const [backup] = listBackups(backupsDirOf(path));
  expect(message).toContain(backup!.path);
  expect(message).toContain("orch db restore");
  expect(sha(path)).toBe(before);
  expect(existsSync(`${path}-wal`)).toBe(false);

  // The previous orch still opens it as it left it.
  const old = openStore(path, {
    migrations: MIGRATIONS.filter((m) => m.version <= FIXTURE_SCHEMA),
  });
  expect(old.upgraded).toBeNull();
  expect(schemaVersion(old)).toBe(FIXTURE_SCHEMA);
  expect(storedRuns(old)).toBe(3);
  old.close();
});

test("only the last few automatic backups are kept; ones a user made stay", () => {
  const path = oldStore();
  const dir = backupsDirOf(path);
  const manual = backupStoreFile(path);
  for (let i = 0; i < KEEP_BACKUPS + 2; i++) backupStoreFile(path, { reason: "upgrade" });
  const left = listBackups(dir);
  expect(left.filter((b) => b.reason === "upgrade")).toHaveLength(KEEP_BACKUPS);
  expect(left.map((b) => b.path)).toContain(manual);
  // Newest kept: every kept name sorts after every removed one.
  expect(readdirSync(dir).filter((n) => n.endsWith("-upgrade.db"))).toHaveLength(KEEP_BACKUPS);
});

test("check finds a sound store sound, and a damaged one damaged", () => {
  const path = oldStore();
  const sound = checkStoreFile(path);
  expect(sound).toMatchObject({
    ok: true,
    schema: FIXTURE_SCHEMA,
    integrity: ["ok"],
    foreign_keys: [],
    test_restore: { ok: true },
  });

  const damaged = join(path, "..", "damaged.db");
  const bytes = readFileSync(path);
  // Overwrite the b-tree pages after the schema page with noise.
  for (let i = 4096 * 2; i < bytes.length; i += 7) bytes[i] = (i * 31) & 0xff;
  writeFileSync(damaged, bytes);
  const bad = checkStoreFile(damaged);
  expect(bad.ok).toBe(false);
  expect(bad.integrity).not.toEqual(["ok"]);
});

test("a restore puts the backup back and keeps the store it replaced", () => {
  const path = oldStore();
  const store = openStore(path);
  createRun(store, { deployment: "before-backup" });
  store.close();
  const copy = backupStoreFile(path);
  const again = openStore(path);
  createRun(again, { deployment: "after-backup" });
  again.close();

  const result = restoreStoreFile(path, copy);
  expect(result.schema).toBe(SCHEMA_VERSION);
  expect(result.previous).toMatch(/-restore\.db$/);
  const restored = openStore(path);
  const names = listRuns(restored, { limit: 10 }).map((r) => r.deployment);
  expect(names).toContain("before-backup");
  expect(names).not.toContain("after-backup");
  restored.close();
  const previous = openStore(result.previous!, { backupsDir: false });
  expect(listRuns(previous, { limit: 10 }).map((r) => r.deployment)).toContain("after-backup");
  previous.close();
});

test("a restore refuses a file that is not a sound orch store, and changes nothing", () => {
  const path = oldStore();
  const before = sha(path);
  const junk = join(path, "..", "junk.db");
  writeFileSync(junk, "not a database at all, just text ".repeat(200));
  expect(() => restoreStoreFile(path, junk)).toThrow(/junk\.db/);
  expect(() => restoreStoreFile(path, join(path, "..", "missing.db"))).toThrow(/does not exist/);
  expect(sha(path)).toBe(before);
});
