import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { createPacer, runPaced } from "../../src/core/index.ts";
import {
  BACKSTOP_PAGES,
  createRun,
  openStore,
  type Store,
  startCheckpoints,
} from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { tempDir } from "../helpers.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function fresh(): { store: Store; path: string } {
  const { dir, cleanup } = tempDir();
  const path = join(dir, "orch.db");
  const store = openStore(path, { backupsDir: false });
  cleanups.push(() => {
    store.close();
    cleanup();
  });
  return { store, path };
}

async function until(what: string, condition: () => boolean, ms = 10_000) {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

const autocheckpoint = (store: Store) =>
  (
    rawSqliteForTests(store).query("PRAGMA wal_autocheckpoint").get() as {
      wal_autocheckpoint: number;
    }
  ).wal_autocheckpoint;

test("the store's log is copied back into its file by a thread of its own, while the server's connection only checkpoints past the backstop", async () => {
  const { store, path } = fresh();
  // The file holds everything so far: from here it grows only when a checkpoint copies pages in.
  rawSqliteForTests(store).run("PRAGMA wal_checkpoint(TRUNCATE)");
  const before = statSync(path).size;
  const checkpoints = startCheckpoints(store, 20);
  expect(checkpoints).not.toBeNull();
  cleanups.unshift(() => void checkpoints?.stop());
  await until("the thread to start", () => autocheckpoint(store) === BACKSTOP_PAGES);

  // Far fewer pages than SQLite's own threshold (1,000): the server's connection would never
  // checkpoint these; the file grows only if the thread copies them in.
  for (let i = 0; i < 30; i++) createRun(store, { deployment: "d", parameters: { i } });
  await until("the runs to reach the file", () => statSync(path).size > before);

  // Everything written is still there, through the server's connection.
  const { n } = rawSqliteForTests(store).query("SELECT count(*) AS n FROM flow_runs").get() as {
    n: number;
  };
  expect(n).toBe(30);

  await checkpoints?.stop();
  expect(autocheckpoint(store)).toBe(1000);
  // The thread closed its connection: the store's close is the last one's, which checkpoints
  // the rest and removes the log.
  store.close();
  expect(existsSync(`${path}-wal`)).toBe(false);
});

test("after a quiet spell (the thread looks less often then), what is written next still reaches the file", async () => {
  const { store, path } = fresh();
  rawSqliteForTests(store).run("PRAGMA wal_checkpoint(TRUNCATE)");
  const checkpoints = startCheckpoints(store, 20);
  cleanups.unshift(() => void checkpoints?.stop());
  await until("the thread to start", () => autocheckpoint(store) === BACKSTOP_PAGES);
  const first = statSync(path).size;
  for (let i = 0; i < 30; i++) createRun(store, { deployment: "d", parameters: { i } });
  await until("the first runs to reach the file", () => statSync(path).size > first);
  // Quiet: each look finds nothing new, and the next waits longer.
  await Bun.sleep(1000);
  const quiet = statSync(path).size;
  for (let i = 0; i < 60; i++) createRun(store, { deployment: "d", parameters: { i } });
  await until(
    "the runs after the quiet spell to reach the file",
    () => statSync(path).size > quiet,
  );
});

test("long paced work leaves the log room to start over between its slices: it stays short, however much is written", async () => {
  const { store, path } = fresh();
  const db = rawSqliteForTests(store);
  db.run("CREATE TABLE filler (x BLOB)");
  const longPages = 50;
  const checkpoints = startCheckpoints(store, 20, longPages);
  cleanups.unshift(() => void checkpoints?.stop());
  await until("the thread to start", () => autocheckpoint(store) === BACKSTOP_PAGES);

  // Each slice commits 16 pages and rests a timer's turn, as planning thousands of deployments
  // does: a pass of the thread always has a commit land in it, so without the pacer's wait for
  // a pass the log would only grow (to the backstop), its file with it.
  const insert = db.query("INSERT INTO filler (x) VALUES (?)");
  const blob = new Uint8Array(64 * 1024);
  const slices = 400;
  function* work() {
    for (let i = 0; i < slices; i++) {
      store.tx(() => insert.run(blob));
      yield;
    }
  }
  await runPaced(work(), checkpoints!.pace(createPacer(0)));

  // 6,400 pages went through the log; it started over every few hundred at most.
  const pageSize = (db.query("PRAGMA page_size").get() as { page_size: number }).page_size;
  const written = slices * 16;
  expect(statSync(`${path}-wal`).size / pageSize).toBeLessThan(written / 4);
  const { n } = db.query("SELECT count(*) AS n FROM filler").get() as { n: number };
  expect(n).toBe(slices);
});

test("a store in memory has no log to checkpoint: no thread", () => {
  const store = openStore(":memory:");
  cleanups.push(() => store.close());
  expect(startCheckpoints(store)).toBeNull();
});
