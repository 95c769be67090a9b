import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { ConcurrencySpec } from "../../src/core/index.ts";
import { lateReason, markLateRuns } from "../../src/scheduler/index.ts";
import {
  claimRuns,
  createDeploymentRun,
  ensureWorkPool,
  openStore,
  type RunRow,
  registerWorker,
  type Store,
  setPoolLimit,
  transitionRun,
  upsertDeployment,
  upsertWorkQueue,
} from "../../src/store/index.ts";
import { tempDir } from "../helpers.ts";
import { makeSpec } from "./helpers.ts";

// The late rule's reason and the claim read one definition of "held back by a limit": whatever
// the claim does with a due run, the reason given for its wait must say the same.

let store: Store;
let cleanup = () => {};
const now = 1_700_000_000_000;

beforeEach(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  store = openStore(join(t.dir, "orch.db"), { clock: { now: () => now } });
  ensureWorkPool(store, "default");
  registerWorker(store, {
    id: "w1",
    name: "w",
    pool: "default",
    host: "h",
    pid: 1,
    concurrency: 8,
  });
});
afterEach(() => {
  store.close();
  cleanup();
});

function deploy(name: string, concurrency: ConcurrencySpec | null, work_queue = "default") {
  const spec = makeSpec({ name, concurrency, work_queue });
  upsertDeployment(store, {
    spec,
    hash: name + JSON.stringify(spec),
    bundle: null,
    sourceFile: "flows/test.yaml",
    sourceLine: 1,
  });
}

/** A run of `name` that holds a slot (RUNNING). */
function busy(name: string): RunRow {
  const run = createDeploymentRun(store, name);
  transitionRun(store, run.id, { type: "PENDING" }, { workerId: "w1" });
  return transitionRun(store, run.id, { type: "RUNNING" }).run;
}

/** A due run of `name`, the reason it waits, and what a claim then does with it. */
function dueRun(name: string) {
  const run = createDeploymentRun(store, name, { scheduledAt: now - 10_000 });
  const reason = lateReason(store, run);
  const { claimed, cancelled } = claimRuns(store, { pool: "default", workerId: "w1", limit: 8 });
  const claim = claimed.some((r) => r.id === run.id)
    ? "claimed"
    : cancelled.some((r) => r.id === run.id)
      ? "cancelled"
      : "skipped";
  return { reason, claim };
}

describe("a due run held back by a limit: the late reason names the limit the claim applied", () => {
  test("its deployment's limit: enqueue waits, cancel-new is cancelled", () => {
    deploy("etl", { limit: 1, collision: "enqueue" });
    busy("etl");
    expect(dueRun("etl")).toEqual({
      reason: "deployment etl is at its concurrency limit (1 of 1 runs active)",
      claim: "skipped",
    });
    deploy("once", { limit: 1, collision: "cancel-new" });
    busy("once");
    expect(dueRun("once")).toMatchObject({
      reason: "deployment once is at its concurrency limit (1 of 1 runs active)",
      claim: "cancelled",
    });
  });

  test("its queue's limit comes before its deployment's: skipped, not cancelled by cancel-new", () => {
    upsertWorkQueue(store, { pool: "default", name: "narrow", limit: 1 });
    deploy("once", { limit: 1, collision: "cancel-new" }, "narrow");
    busy("once");
    expect(dueRun("once")).toEqual({
      reason: "work queue default/narrow is at its concurrency limit (1 of 1 runs active)",
      claim: "skipped",
    });
  });

  test("its pool's limit comes first: skipped, not cancelled", () => {
    setPoolLimit(store, "default", 2);
    deploy("once", { limit: 1, collision: "cancel-new" });
    deploy("other", null);
    busy("once");
    busy("other");
    expect(dueRun("once")).toEqual({
      reason: "work pool default is at its concurrency limit (2 of 2 runs active)",
      claim: "skipped",
    });
  });

  test("no limit reached: the claim takes it", () => {
    setPoolLimit(store, "default", 3);
    deploy("etl", { limit: 2, collision: "enqueue" });
    busy("etl");
    expect(dueRun("etl")).toEqual({ reason: "no worker has claimed it yet", claim: "claimed" });
  });
});

test("a run handed back by a lost worker that no worker takes becomes Late, with the reason", () => {
  deploy("etl", null);
  const run = createDeploymentRun(store, "etl", { scheduledAt: now - 10_000 });
  transitionRun(store, run.id, { type: "PENDING" }, { workerId: "w1" });
  transitionRun(store, run.id, { type: "SCHEDULED", name: "Requeued" });
  const [late] = markLateRuns(store, now, 5000);
  expect(late).toMatchObject({ id: run.id, state_name: "Late" });
  expect(late!.state_message).toMatch(/^late: not started 10s after its time; /);
});
