import { afterEach, beforeEach, expect, test } from "vitest";
import { claimRuns, getRun, runStates, transitionRun } from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { createWriteBatcher, RUNNING_WINDOW_MS } from "../../src/worker/write-batcher.ts";
import { createLab, eventually, type Lab, walCommits } from "./helpers.ts";

let lab: Lab;
beforeEach(() => {
  lab = createLab();
});
afterEach(async () => {
  await lab.cleanup();
});

const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A run claimed (PENDING) for a worker, as the embedded worker's claim leaves it. */
function claimed() {
  const run = lab.trigger(lab.deploy({ name: "short", command: ["true"] }));
  claimRuns(lab.store, { pool: "default", workerId: "w", limit: 1 });
  return run;
}

test("a short run's RUNNING waits for its end: both are written in one transaction, at the times they happened", async () => {
  const run = claimed();
  // A window longer than the test: what ends the wait is the run's end, nothing else.
  const writes = createWriteBatcher(lab.store, { runningWindowMs: 60_000 });
  const startedAt = Date.now();
  writes.transition(run.id, { type: "RUNNING" }, { pid: 4242, at: startedAt });
  await endOfTurn();
  // Held for a moment: a run whose RUNNING is not written yet is PENDING.
  expect(getRun(lab.store, run.id)?.state_type).toBe("PENDING");
  await Bun.sleep(1);
  const endedAt = Date.now();
  const before = walCommits(lab.dir);
  writes.transition(run.id, { type: "COMPLETED" }, { exitCode: 0, at: endedAt });
  await endOfTurn();
  expect(walCommits(lab.dir) - before).toBe(1);
  const done = getRun(lab.store, run.id)!;
  expect(done).toMatchObject({ state_type: "COMPLETED", started_at: startedAt, ended_at: endedAt });
  expect(runStates(lab.store, run.seq).map((s) => [s.type, Date.parse(s.at)])).toEqual([
    ["SCHEDULED", run.created_at],
    ["PENDING", expect.any(Number)],
    ["RUNNING", startedAt],
    ["COMPLETED", endedAt],
  ]);
});

test("a short run's start and end in one batch write its row once; a start refused (cancelled as it started) is told so, and its end still recorded", async () => {
  const run = claimed();
  const cancelled = claimed();
  transitionRun(lab.store, cancelled.id, { type: "CANCELLING" }, {}, "user");
  const db = rawSqliteForTests(lab.store);
  db.run("CREATE TEMP TABLE row_writes (id TEXT, state_type TEXT)");
  db.run(
    "CREATE TEMP TRIGGER row_written AFTER UPDATE ON flow_runs BEGIN INSERT INTO row_writes VALUES (new.id, new.state_type); END",
  );
  const refused: string[] = [];
  const writes = createWriteBatcher(lab.store, {
    runningWindowMs: 60_000,
    onRefused: (id, _error, state) => refused.push(`${id} ${state.type}`),
  });
  const told: (string | undefined)[] = [];
  for (const r of [run, cancelled]) {
    writes.transition(r.id, { type: "RUNNING" }, { pid: 4242 }, (row) =>
      told.push(row?.state_type),
    );
  }
  writes.logs(run.seq, [{ stream: "stdout", line: "hello", at: Date.now() }]);
  for (const r of [run, cancelled]) writes.transition(r.id, { type: "COMPLETED" }, { exitCode: 0 });
  await endOfTurn();
  expect(told).toEqual(["RUNNING", "CANCELLING"]);
  expect(refused).toEqual([`${cancelled.id} RUNNING`]);
  expect(runStates(lab.store, run.seq).map((s) => s.type)).toEqual([
    "SCHEDULED",
    "PENDING",
    "RUNNING",
    "COMPLETED",
  ]);
  expect(getRun(lab.store, cancelled.id)?.state_type).toBe("CANCELLED");
  expect(db.query("SELECT id, state_type FROM row_writes").all()).toEqual([
    { id: run.id, state_type: "COMPLETED" },
    { id: cancelled.id, state_type: "CANCELLED" },
  ]);
});

test("a RUNNING alone is written once the window has passed", async () => {
  const run = claimed();
  const writes = createWriteBatcher(lab.store);
  writes.transition(run.id, { type: "RUNNING" }, { pid: 4242 });
  await endOfTurn();
  await eventually(
    () => getRun(lab.store, run.id)?.state_type === "RUNNING",
    RUNNING_WINDOW_MS + 5000,
    "RUNNING written",
  );
});

test("a state's reported time is kept between its run's last state and now", () => {
  const run = claimed();
  const pendingAt = getRun(lab.store, run.id)!.state_at;
  const running = transitionRun(lab.store, run.id, { type: "RUNNING" }, { at: pendingAt - 60_000 });
  // Never before the state it leaves.
  expect(running.run.started_at).toBe(pendingAt);
  const before = Date.now();
  const done = transitionRun(lab.store, run.id, { type: "COMPLETED" }, { at: before + 60_000 });
  // Never after the write itself.
  expect(done.run.ended_at).toBeGreaterThanOrEqual(before);
  expect(done.run.ended_at).toBeLessThanOrEqual(Date.now());
});

test("a joined start and end whose run is gone before the write are each told refused; the batch's other runs are written", async () => {
  const gone = claimed();
  const kept = claimed();
  const refused: string[] = [];
  const writes = createWriteBatcher(lab.store, {
    runningWindowMs: 60_000,
    onRefused: (id, error, state) =>
      refused.push(`${id} ${state.type} ${(error as { code?: string }).code}`),
  });
  const told: (string | null | undefined)[] = [];
  for (const r of [gone, kept]) {
    writes.transition(r.id, { type: "RUNNING" }, { pid: 4242 }, (row) =>
      told.push(row?.state_type ?? null),
    );
    writes.transition(r.id, { type: "COMPLETED" }, { exitCode: 0 }, (row) =>
      told.push(row?.state_type ?? null),
    );
  }
  // The run goes between the reports and their write (nothing in orch deletes a run still going:
  // this stands for any refusal thrown from within the joined write).
  const db = rawSqliteForTests(lab.store);
  db.run("PRAGMA foreign_keys = OFF");
  db.query("DELETE FROM flow_runs WHERE seq = ?").run(gone.seq);
  await endOfTurn();
  expect(refused).toEqual([`${gone.id} RUNNING E_NOT_FOUND`, `${gone.id} COMPLETED E_NOT_FOUND`]);
  expect(told).toEqual([null, null, "RUNNING", "COMPLETED"]);
  expect(getRun(lab.store, kept.id)?.state_type).toBe("COMPLETED");
});
