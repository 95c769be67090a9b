import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  firingsSince,
  openStore,
  recordFiring,
  recordFiringFailure,
  type Store,
} from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { FAILED_COUNT_SQL, FIRING_FAILURE_SQL } from "../../src/store/trigger-state.ts";
import { tempDir } from "../helpers.ts";

// A trigger that fires often keeps days of firings: marking one failed and counting the failed
// ones (orch triggers ls) read along an index, never every firing of those days. The plans come
// from SQLite itself.

let store: Store;
let cleanup = () => {};
const T0 = 1_700_000_000_000;

beforeAll(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  store = openStore(join(t.dir, "orch.db"));
  store.tx(() => {
    for (let i = 0; i < 500; i++) recordFiring(store, "t", T0 + i * 1000, i + 1, false);
  });
});
afterAll(() => {
  store.close();
  cleanup();
});

const plan = (sql: string, ...args: (string | number)[]) =>
  (
    rawSqliteForTests(store)
      .query(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...args) as { detail: string }[]
  )
    .map((r) => r.detail)
    .join("; ");

test("a failed firing is found by its trigger and time, and counted apart with its reason", () => {
  recordFiringFailure(store, "t", T0 + 7000, 8, "no such deployment");
  // Another firing's event with the same time marks nothing: the firing is its own.
  recordFiringFailure(store, "t", T0 + 7000, 9, "not this one");
  const since = firingsSince(store, "t", T0);
  expect(since.failed).toBe(1);
  expect(since.fired).toBe(499);
  expect(since.lastFailure).toEqual({ at: T0 + 7000, message: "no such deployment" });
  expect(plan(FIRING_FAILURE_SQL, "m", "t", T0, 1)).toMatch(
    /USING INDEX \S+ \(trigger=\? AND .*at=\?/,
  );
  expect(plan(FAILED_COUNT_SQL, "t", T0)).toMatch(
    /USING INDEX trigger_firings_failed \(trigger=\? AND at>\?\)/,
  );
});
