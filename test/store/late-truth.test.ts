import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import {
  createRun,
  listEvents,
  openStore,
  runStates,
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

/** A run started on worker w1, then CRASHED by orch a second later (w1 went silent). */
function crashedRun(): { id: string; seq: number; startedAt: number } {
  const run = createRun(store, { deployment: "d", retries: 0 });
  transitionRun(store, run.id, { type: "PENDING" }, { workerId: "w1" });
  now += 10;
  const startedAt = now;
  transitionRun(store, run.id, { type: "RUNNING" });
  now += 1000;
  transitionRun(store, run.id, { type: "CRASHED", message: "worker w1 stopped heartbeating" });
  now += 1000;
  return { id: run.id, seq: run.seq, startedAt };
}

test("a lost worker's late end keeps the time it happened, before orch's CRASHED", () => {
  const run = crashedRun();
  // It ended 500 ms after it started, while its worker could not tell orch.
  const done = transitionRun(
    store,
    run.id,
    { type: "COMPLETED" },
    { exitCode: 0, at: run.startedAt + 500 },
    "lost-worker",
  ).run;
  expect(done).toMatchObject({ state_type: "COMPLETED", ended_at: run.startedAt + 500 });
  const states = runStates(store, run.seq);
  expect(states.map((s) => s.type)).toEqual([
    "SCHEDULED",
    "PENDING",
    "RUNNING",
    "CRASHED",
    "COMPLETED",
  ]);
  // Recorded when orch heard of it: the history and the events keep the store's order (a
  // listing of events since a time finds them by it).
  expect(states.at(-1)!.at).toBe(new Date(now).toISOString());
  const [event] = listEvents(store, { prefix: "flow-run.completed" });
  expect(event!.at).toBe(now);
});

test("a late end said to be before the run started is held to its start, and one after now to now", () => {
  const early = crashedRun();
  const failed = transitionRun(
    store,
    early.id,
    { type: "FAILED" },
    { exitCode: 1, at: early.startedAt - 5000 },
    "lost-worker",
  ).run;
  expect(failed.ended_at).toBe(early.startedAt);
  const late = crashedRun();
  const done = transitionRun(
    store,
    late.id,
    { type: "COMPLETED" },
    { exitCode: 0, at: now + 60_000 },
    "lost-worker",
  ).run;
  expect(done.ended_at).toBe(now);
});
