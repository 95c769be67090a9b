import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

const FIXTURE = resolve(import.meta.dirname, "../fixtures/store-schema-7.db");

let cleanup = () => {};
afterEach(() => cleanup());

/** A project whose store was written by the previous release. */
function projectFromPreviousRelease(): string {
  const t = tempDir();
  cleanup = t.cleanup;
  mkdirSync(join(t.dir, ".orch"), { mode: 0o700 });
  mkdirSync(join(t.dir, "flows"));
  copyFileSync(FIXTURE, join(t.dir, ".orch/orch.db"));
  return t.dir;
}

/**
 * The finished runs of a `runs ls --json`. Why not all: the fixture also holds the run its
 * schedule planned for 2026-12-01 01:00 UTC, which `runs ls` lists once that time has passed.
 */
function finished(stdout: string): { deployment: string; state: string }[] {
  const runs = JSON.parse(stdout) as { deployment: string; state: string }[];
  return runs.filter((r) => r.state !== "SCHEDULED");
}

test("the new orch upgrades a store from the previous release, backing it up first", async () => {
  const dir = projectFromPreviousRelease();
  const ls = await orch(["runs", "ls", "--json", "--dir", dir]);
  expect(ls.stderr).toBe("");
  expect(ls.code).toBe(0);
  const runs = finished(ls.stdout);
  expect(runs.map((r) => `${r.deployment}:${r.state}`).sort()).toEqual([
    "broken:FAILED",
    "hello:COMPLETED",
  ]);
  const backups = readdirSync(join(dir, ".orch/backups"));
  expect(backups).toHaveLength(1);
  expect(backups[0]).toMatch(/-schema7-v.*-upgrade\.db$/);

  // The backup checks out and is the old schema.
  const check = await orch(["db", "check", "--json", join(dir, ".orch/backups", backups[0]!)]);
  expect(check.code).toBe(0);
  expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, schema: 7 });
});

test("orch db check, backup and restore on a project's store", async () => {
  const dir = projectFromPreviousRelease();
  const check = await orch(["db", "check", "--dir", dir]);
  expect(check.code).toBe(0);
  expect(check.stdout).toMatch(/✔ integrity\n✔ foreign keys\n✔ test restore/);

  const backup = await orch(["db", "backup", "--json", "--dir", dir]);
  expect(backup.code).toBe(0);
  const { path } = JSON.parse(backup.stdout) as { path: string };
  expect(path).toMatch(/\.orch\/backups\/orch-.*-manual\.db$/);
  expect(existsSync(path)).toBe(true);

  // Something happens after the backup: the fixture's finished runs are pruned away.
  const prune = await orch(["runs", "prune", "--older-than", "1m", "--json", "--dir", dir]);
  expect(JSON.parse(prune.stdout).runs).toBe(2);

  // While a server holds the project, a restore is refused.
  const up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  try {
    await up.waitFor("orch is up at");
    const refused = await orch(["db", "restore", path, "--dir", dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/orch is running .*stop it first/);
  } finally {
    up.proc.kill("SIGTERM");
    await up.proc.exited;
  }

  const restore = await orch(["db", "restore", path, "--json", "--dir", dir]);
  expect(restore.stderr).toBe("");
  expect(restore.code).toBe(0);
  expect(JSON.parse(restore.stdout).previous).toMatch(/-restore\.db$/);
  const ls = await orch(["runs", "ls", "--json", "--dir", dir]);
  expect(finished(ls.stdout)).toHaveLength(2);
});

test("orch db check fails, exit 1, on a file that is not a store", async () => {
  const dir = projectFromPreviousRelease();
  const junk = join(dir, "junk.db");
  await Bun.write(junk, "x".repeat(10_000));
  const check = await orch(["db", "check", junk]);
  expect(check.code).not.toBe(0);
  expect(check.stderr).toContain("junk.db");
});

test("orch db backup --out a path it cannot write is bad input (exit 2), said without a stack", async () => {
  const dir = projectFromPreviousRelease();
  const noStack = /^\s+at /m;
  const missing = await orch(["db", "backup", "--out", join(dir, "nowhere/x.db"), "--dir", dir]);
  expect(missing.stderr).toMatch(
    /--out .*nowhere\/x\.db: the folder .*nowhere does not exist; create it first/,
  );
  expect(missing.stderr).not.toMatch(noStack);
  expect(missing.code).toBe(2);

  const taken = join(dir, "taken.db");
  await Bun.write(taken, "mine");
  const exists = await orch(["db", "backup", "--out", taken, "--dir", dir]);
  expect(exists.stderr).toMatch(/taken\.db: it already exists; pick a new name/);
  expect(exists.code).toBe(2);
  expect(await Bun.file(taken).text()).toBe("mine");

  const made = await orch(["db", "backup", "--out", join(dir, "copy.db"), "--dir", dir]);
  expect(made.code).toBe(0);
  expect(existsSync(join(dir, "copy.db"))).toBe(true);
});
