import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { ACTIVE_TYPES, STATE_TYPES } from "../../src/core/index.ts";
import {
  createRun,
  listActiveRuns,
  openStore,
  type Store,
  transitionRun,
} from "../../src/store/index.ts";
import { ACTIVE } from "../../src/store/state-sql.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { tempDir } from "../helpers.ts";

let store: Store;
let cleanup = () => {};

beforeEach(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  store = openStore(join(t.dir, "orch.db"));
});
afterEach(() => {
  store.close();
  cleanup();
});

test("the active runs are exactly those in core's ACTIVE_TYPES", () => {
  const paths: Record<string, string[]> = {
    SCHEDULED: [],
    PENDING: ["PENDING"],
    RUNNING: ["PENDING", "RUNNING"],
    COMPLETED: ["PENDING", "RUNNING", "COMPLETED"],
    FAILED: ["PENDING", "RUNNING", "FAILED"],
    CRASHED: ["PENDING", "RUNNING", "CRASHED"],
    CANCELLING: ["PENDING", "RUNNING", "CANCELLING"],
    CANCELLED: ["CANCELLED"],
    PAUSED: ["PENDING", "RUNNING", "PAUSED"],
  };
  expect(Object.keys(paths).sort()).toEqual([...STATE_TYPES].sort());
  for (const [type, path] of Object.entries(paths)) {
    const run = createRun(store, { deployment: type });
    for (const step of path) {
      transitionRun(store, run.id, { type: step as never }, { workerId: "w1" });
    }
  }
  const active = listActiveRuns(store).map((r) => r.state_type);
  expect(active.sort()).toEqual([...ACTIVE_TYPES].sort());
  expect(
    listActiveRuns(store, { workerId: "w1" })
      .map((r) => r.state_type)
      .sort(),
  ).toEqual([...ACTIVE_TYPES].sort());
});

test("a worker's active runs are read through the partial index made for them", () => {
  // SQLite uses a partial index only when the query repeats its WHERE term: the predicate
  // derived from core's list must keep rendering as migration 2 wrote it.
  const plan = rawSqliteForTests(store)
    .query(`EXPLAIN QUERY PLAN SELECT * FROM flow_runs WHERE worker_id = ? AND ${ACTIVE}`)
    .all("w1") as { detail: string }[];
  expect(plan.map((p) => p.detail).join("\n")).toContain("flow_runs_by_worker");
});
