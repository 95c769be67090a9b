import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { eventsSince, listEvents, listEventsQuery } from "../../src/store/events.ts";
import { openStore, pruneRuns, recordEvent, type Store } from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { tempDir } from "../helpers.ts";

// Events have no index by time: their ids follow the times they were recorded at, so a time is
// found along the ids (eventsSince). These check that listings by time and retention by age
// still find exactly the events of their time, when some were deleted and when a few were
// stamped a little earlier than the event recorded before them.

let store: Store;
let cleanup = () => {};
const T0 = 1_700_000_000_000;

beforeEach(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  store = openStore(join(t.dir, "orch.db"));
});
afterEach(() => {
  store.close();
  cleanup();
});

/** Events one second apart from T0, named `e`; returns their ids. */
function record(count: number, name = "e"): number[] {
  return store.tx(() =>
    Array.from({ length: count }, (_, i) => recordEvent(store, name, null, {}, T0 + i * 1000).id),
  );
}

const plan = (query: { sql: string; args: (string | number)[] }) =>
  (
    rawSqliteForTests(store)
      .query(`EXPLAIN QUERY PLAN ${query.sql}`)
      .all(...query.args) as { detail: string }[]
  )
    .map((r) => r.detail)
    .join("; ");

test("where a time begins is found along the ids, with deleted events in between", () => {
  const ids = record(1000);
  rawSqliteForTests(store).run("DELETE FROM events WHERE id % 7 = 0 OR id BETWEEN 300 AND 420");
  for (const second of [0, 1, 299, 350, 421, 500, 999]) {
    const first = rawSqliteForTests(store)
      .query("SELECT min(id) AS id FROM events WHERE at >= ?")
      .get(T0 + second * 1000) as { id: number };
    const bound = eventsSince(store, T0 + second * 1000);
    // No event before the bound is of that time or later, and the first one after it is.
    expect(
      rawSqliteForTests(store)
        .query("SELECT count(*) AS n FROM events WHERE id < ? AND at >= ?")
        .get(bound, T0 + second * 1000),
    ).toEqual({ n: 0 });
    expect(bound).toBeLessThanOrEqual(first.id);
  }
  expect(eventsSince(store, T0 + 10_000_000)).toBe(ids.at(-1)! + 1);
});

test("events listed since a time are exactly those recorded at it or later, one stamped a little early too", () => {
  record(600);
  // Recorded after every other event, stamped as if 500 ms after the 300th second.
  const late = recordEvent(store, "e", null, {}, T0 + 300_500).id;
  const since = T0 + 300_000;
  const listed = listEvents(store, { since, limit: 1000 });
  expect(listed.length).toBe(301);
  expect(listed[0]!.id).toBe(late);
  expect(listed.every((e) => e.at >= since)).toBe(true);
  // It reads from where the time begins (less the slack), not every event.
  expect(plan(listEventsQuery(store, { since }))).toMatch(/USING INTEGER PRIMARY KEY \(rowid>\?\)/);
});

test("events by a name of their own read along the index by name; the frequent run events by id", () => {
  record(300, "flow-run.scheduled");
  record(5, "deployment.updated");
  record(300, "flow-run.completed");
  record(300, "flow-run.running");
  const byName = (filter: { prefix?: string; name?: string }) =>
    listEvents(store, { ...filter, limit: 1000 }).map((e) => e.name);

  expect(byName({ prefix: "deployment." })).toEqual(Array(5).fill("deployment.updated"));
  expect(plan(listEventsQuery(store, { prefix: "deployment." }))).toMatch(
    /USING INDEX events_by_name/,
  );
  expect(byName({ name: "flow-run.completed" }).length).toBe(300);
  expect(plan(listEventsQuery(store, { name: "flow-run.completed" }))).toMatch(
    /USING INDEX events_by_name/,
  );
  // Names every run has are not in the index: found newest first along the ids, whole.
  expect(byName({ name: "flow-run.scheduled" }).length).toBe(300);
  expect(new Set(byName({ prefix: "flow-run." }))).toEqual(
    new Set(["flow-run.scheduled", "flow-run.completed", "flow-run.running"]),
  );
  expect(byName({ prefix: "flow-run." }).length).toBe(900);
  expect(byName({ name: "flow-run.*" }).length).toBe(900);
  expect(plan(listEventsQuery(store, { name: "flow-run.*" }))).not.toMatch(/TEMP B-TREE/);
});

test("retention by age deletes the events recorded before its time, never one after, stamps out of order too", async () => {
  record(1000);
  // Stamped before the cutoff but recorded last: kept this time (it is found by a later prune).
  recordEvent(store, "e", null, {}, T0 + 100_000);
  // Recorded among the old ones, stamped after the cutoff: never deleted.
  rawSqliteForTests(store).run(`UPDATE events SET at = ${T0 + 900_000} WHERE id = 10`);
  const before = T0 + 500_000;
  const counted = await pruneRuns(store, { rules: [], eventsBefore: before }, { dryRun: true });
  const pruned = await pruneRuns(store, { rules: [], eventsBefore: before });
  expect(pruned.events).toBe(counted.events);
  expect(pruned.events).toBe(499);
  const left = rawSqliteForTests(store)
    .query("SELECT count(*) AS n, min(at) AS oldest FROM events WHERE id < 1000")
    .get() as { n: number; oldest: number };
  expect(left.oldest).toBeGreaterThanOrEqual(before);
  expect(
    rawSqliteForTests(store).query("SELECT count(*) AS n FROM events WHERE id = 10").get(),
  ).toEqual({ n: 1 });
});
