import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import {
  countRunsByState,
  createRun,
  listRuns,
  openStore,
  type Store,
  transitionRun,
} from "../../src/store/index.ts";
import { tempDir } from "../helpers.ts";

let store: Store;
let cleanup = () => {};
let now = 1_700_000_000_000;

beforeEach(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  store = openStore(join(t.dir, "orch.db"), { clock: { now: () => now } });
});
afterEach(() => {
  store.close();
  cleanup();
});

/** A run of `deployment` that ends in `end` (or stays SCHEDULED). */
function run(deployment: string, end?: "COMPLETED" | "FAILED", extra: { name?: string } = {}) {
  now += 1000;
  const r = createRun(store, { deployment, ...extra });
  if (!end) return r;
  transitionRun(store, r.id, { type: "PENDING" });
  transitionRun(store, r.id, { type: "RUNNING" });
  transitionRun(store, r.id, {
    type: end,
    message: end === "FAILED" ? "exit code 3: disk_full (50% used)" : "",
  });
  return r;
}

test("text matches an id's start, a name, a deployment or a state message, literally", () => {
  const a = run("nightly-etl", "COMPLETED", { name: "orders 2026-11-29" });
  const b = run("backup", "FAILED");
  const c = run("Nightly-ETL-copy");
  const ids = (text: string) => listRuns(store, { text }).map((r) => r.id);
  expect(ids(a.id.slice(0, 8))).toEqual([a.id]);
  expect(ids("ORDERS")).toEqual([a.id]);
  expect(ids("nightly")).toEqual([c.id, a.id]);
  expect(ids("disk_full")).toEqual([b.id]);
  // LIKE's wildcards are plain characters in the text.
  expect(ids("50%")).toEqual([b.id]);
  expect(ids("disk%full")).toEqual([]);
  expect(ids("k_f")).toEqual([b.id]);
  expect(ids("x_y")).toEqual([]);
  // Not a prefix of the id: the middle of an id is no match.
  expect(ids(a.id.slice(9, 20))).toEqual([]);
});

test("counts by state take the same filter as the listing", () => {
  run("etl", "COMPLETED");
  run("etl", "COMPLETED");
  run("etl", "FAILED");
  run("etl");
  run("other", "FAILED", { name: "etl-like" });
  expect(countRunsByState(store, { deployment: "etl" })).toEqual({
    COMPLETED: 2,
    FAILED: 1,
    SCHEDULED: 1,
  });
  expect(countRunsByState(store, { text: "etl" })).toEqual({
    COMPLETED: 2,
    FAILED: 2,
    SCHEDULED: 1,
  });
  expect(countRunsByState(store, { deployment: "none" })).toEqual({});
  const total = Object.values(countRunsByState(store, { since: now - 2500 })).reduce(
    (s, n) => s + (n ?? 0),
    0,
  );
  expect(total).toBe(listRuns(store, { since: now - 2500 }).length);
});
