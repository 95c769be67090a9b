import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  claimRuns,
  createRun,
  makeRun,
  openStore,
  type Store,
  transitionRunSteps,
} from "../../src/store/index.ts";
import { pagesWrittenBy } from "../../src/store/testing.ts";
import { tempDir } from "../helpers.ts";

// Every page a commit changed is written to the store's log: the pages a run writes are what
// each of its state changes costs. These count them (the write-ahead log's frames, by b-tree).

let store: Store;
let cleanup = () => {};

beforeAll(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  store = openStore(join(t.dir, "orch.db"));
});
afterAll(() => {
  store.close();
  cleanup();
});

/** Runs measured at once: a page split now and then counts for little. */
const RUNS = 50;

/** A run created and claimed in one commit, then RUNNING and COMPLETED in a second. */
function oneRun(): void {
  const run = store.tx(() => {
    const created = createRun(store, { deployment: "d" });
    claimRuns(store, { pool: "default", workerId: "w", limit: 1 });
    return created;
  });
  store.tx(() => {
    transitionRunSteps(store, run.id, [
      { proposed: { type: "RUNNING" }, outcome: { pid: 1, pidStarted: "0" } },
      { proposed: { type: "COMPLETED" }, outcome: { exitCode: 0 } },
    ]);
  });
}

test("a run's scheduled, pending and running events write no index; its end is indexed by name, and no event by time", () => {
  for (let i = 0; i < 200; i++) oneRun();
  const pages = pagesWrittenBy(store, () => {
    for (let i = 0; i < RUNS; i++) oneRun();
  });
  // One page of the index by name (the COMPLETED event's, in the second commit alone) but when
  // a page splits; with every event in it, each run wrote four or more.
  expect(pages.get("events_by_name")! / RUNS).toBeLessThan(1.5);
  expect(pages.get("events_by_time")).toBeUndefined();
});

test("a run claimed as it is made never writes the indexes of runs waiting to be claimed", () => {
  const made = () => {
    const run = makeRun(store, { deployment: "d" }, () => ({
      proposed: { type: "PENDING" },
      outcome: { workerId: "w" },
    }));
    store.tx(() => {
      transitionRunSteps(store, run.id, [
        { proposed: { type: "RUNNING" }, outcome: { pid: 1, pidStarted: "0" } },
        { proposed: { type: "COMPLETED" }, outcome: { exitCode: 0 } },
      ]);
    });
  };
  for (let i = 0; i < 200; i++) made();
  const claimedAsMade = pagesWrittenBy(store, () => {
    for (let i = 0; i < RUNS; i++) made();
  });
  const claimedAfter = pagesWrittenBy(store, () => {
    for (let i = 0; i < RUNS; i++) oneRun();
  });
  for (const waiting of [
    "flow_runs_claim",
    "flow_runs_scheduled",
    "flow_runs_scheduled_by_deployment",
  ]) {
    expect(claimedAsMade.get(waiting)).toBeUndefined();
    expect(claimedAfter.get(waiting)! / RUNS).toBeGreaterThanOrEqual(1);
  }
  const total = (pages: Map<string, number>) => [...pages.values()].reduce((a, b) => a + b, 0);
  expect(total(claimedAsMade)).toBeLessThan(total(claimedAfter) - 2 * RUNS);
});
