import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { runListedAt } from "../../src/core/index.ts";
import {
  appendLogs,
  createRun,
  getRunOrThrow,
  listEvents,
  listRuns,
  openStore,
  parseRunCursor,
  pruneOlderThan,
  runCursor,
  runStates,
  type Store,
  transitionRun,
  transitionRunSteps,
} from "../../src/store/index.ts";
import { newRunId, seedRunIds } from "../../src/store/run-ids.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
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

function history(seq: number) {
  return runStates(store, seq).map((s) => `${s.type}/${s.name}`);
}

test("a run's state event reaches listeners with the run as its transition left it, and is stored without it", () => {
  const run = createRun(store, { deployment: "d", retries: 0 });
  const seen: { name: string; state?: string; ended?: number | null; exit?: number | null }[] = [];
  const unsubscribe = store.subscribe((e) =>
    seen.push({
      name: e.name,
      state: e.run?.state_type,
      ended: e.run?.ended_at,
      exit: e.run?.exit_code,
    }),
  );
  store.tx(() => {
    transitionRun(store, run.id, { type: "PENDING" }, { workerId: "w1" });
    now += 10;
    transitionRun(store, run.id, { type: "RUNNING" }, { pid: 42 });
    now += 10;
    transitionRun(store, run.id, { type: "COMPLETED" }, { exitCode: 0 });
  });
  unsubscribe();
  // Each event tells the run as of its own change, not as the transaction ended.
  expect(seen).toEqual([
    { name: "flow-run.pending", state: "PENDING", ended: null, exit: null },
    { name: "flow-run.running", state: "RUNNING", ended: null, exit: null },
    { name: "flow-run.completed", state: "COMPLETED", ended: now, exit: 0 },
  ]);
  const stored = listEvents(store, { prefix: "flow-run." });
  expect(stored.every((e) => e.run === undefined)).toBe(true);
});

test("each accepted transition writes the run and one history row, with time and message", () => {
  const run = createRun(store, { deployment: "d", retries: 0 });
  now += 10;
  transitionRun(store, run.id, { type: "PENDING" }, { workerId: "w1" });
  now += 10;
  const running = transitionRun(store, run.id, { type: "RUNNING", message: "pid 42" }, { pid: 42 });
  expect(running.run).toMatchObject({
    state_type: "RUNNING",
    pid: 42,
    worker_id: "w1",
    attempt: 1,
  });
  expect(running.run.started_at).toBe(now);
  now += 10;
  const done = transitionRun(store, run.id, { type: "COMPLETED" }, { exitCode: 0 });
  expect(done.run).toMatchObject({ state_type: "COMPLETED", exit_code: 0, ended_at: now });
  expect(history(run.seq)).toEqual([
    "SCHEDULED/Scheduled",
    "PENDING/Pending",
    "RUNNING/Running",
    "COMPLETED/Completed",
  ]);
  const states = runStates(store, run.seq);
  expect(states[2]).toMatchObject({ message: "pid 42", at: new Date(now - 10).toISOString() });
  const names = listEvents(store, { prefix: "flow-run." }).map((e) => e.name);
  expect(names).toEqual([
    "flow-run.completed",
    "flow-run.running",
    "flow-run.pending",
    "flow-run.scheduled",
  ]);
});

test("a refused transition throws and writes nothing", () => {
  const run = createRun(store, {});
  expect(() => transitionRun(store, run.id, { type: "COMPLETED" })).toThrow(
    /cannot go from SCHEDULED to COMPLETED/,
  );
  expect(history(run.seq)).toEqual(["SCHEDULED/Scheduled"]);
  expect(listEvents(store).length).toBe(1);
});

test("a repeated transition is a no-op with no history row", () => {
  const run = createRun(store, {});
  transitionRun(store, run.id, { type: "PENDING" });
  const again = transitionRun(store, run.id, { type: "PENDING" });
  expect(again.changed).toBe(false);
  expect(history(run.seq)).toEqual(["SCHEDULED/Scheduled", "PENDING/Pending"]);
});

test("a failure with retries left waits for the retry delay, then runs as the next attempt", () => {
  const run = createRun(store, { retries: 1, retryDelayMs: 5000 });
  transitionRun(store, run.id, { type: "PENDING" });
  transitionRun(store, run.id, { type: "RUNNING" }, { pid: 1 });
  const failed = transitionRun(store, run.id, { type: "FAILED" }, { exitCode: 3 });
  expect(failed.run).toMatchObject({
    state_type: "SCHEDULED",
    state_name: "AwaitingRetry",
    scheduled_at: now + 5000,
    retries_used: 1,
    attempt: 1,
  });
  expect(failed.replaced).toBeDefined();
  transitionRun(store, run.id, { type: "PENDING" });
  const retrying = transitionRun(store, run.id, { type: "RUNNING" });
  expect(retrying.run).toMatchObject({ state_name: "Retrying", attempt: 2 });
  const final = transitionRun(store, run.id, { type: "FAILED" }, { exitCode: 3 });
  expect(final.run).toMatchObject({ state_type: "FAILED", exit_code: 3 });
  expect(history(run.seq)).toEqual([
    "SCHEDULED/Scheduled",
    "PENDING/Pending",
    "RUNNING/Running",
    "SCHEDULED/AwaitingRetry",
    "PENDING/Pending",
    "RUNNING/Retrying",
    "FAILED/Failed",
  ]);
});

test("a user's retry of a finished run starts it afresh with its retry budget", () => {
  const run = createRun(store, { retries: 0 });
  transitionRun(store, run.id, { type: "PENDING" });
  transitionRun(store, run.id, { type: "RUNNING" });
  transitionRun(store, run.id, { type: "FAILED" }, { exitCode: 1 });
  expect(() => transitionRun(store, run.id, { type: "SCHEDULED" })).toThrow(/already FAILED/);
  const retried = transitionRun(store, run.id, { type: "SCHEDULED" }, {}, "user");
  expect(retried.run).toMatchObject({
    state_type: "SCHEDULED",
    exit_code: null,
    ended_at: null,
    started_at: null,
  });
});

test("an idempotency key makes one run however often it is asked", () => {
  const a = createRun(store, { idempotencyKey: "d:s0:2026-01-01T02:00Z" });
  const b = createRun(store, { idempotencyKey: "d:s0:2026-01-01T02:00Z" });
  expect(b.id).toBe(a.id);
  expect(rawSqliteForTests(store).query("SELECT count(*) AS n FROM flow_runs").get()).toEqual({
    n: 1,
  });
});

test("events are published only after their transaction commits", () => {
  const seen: string[] = [];
  store.subscribe((e) => seen.push(e.name));
  expect(() =>
    store.tx(() => {
      createRun(store, {});
      expect(seen).toEqual([]);
      throw new Error("rolled back");
    }),
  ).toThrow("rolled back");
  expect(seen).toEqual([]);
  createRun(store, {});
  expect(seen).toEqual(["flow-run.scheduled"]);
});

test("a listener that throws neither stops the others nor fails the write", () => {
  const errors: unknown[] = [];
  const t = tempDir();
  const s = openStore(join(t.dir, "o.db"), { onListenerError: (e) => errors.push(e) });
  const seen: string[] = [];
  s.subscribe(() => {
    throw new Error("listener bug");
  });
  s.subscribe((e) => seen.push(e.name));
  const run = createRun(s, {});
  expect(seen).toEqual(["flow-run.scheduled"]);
  expect(errors).toHaveLength(1);
  expect(runStates(s, run.seq)).toHaveLength(1);
  s.close();
  t.cleanup();
});

test("a nested transaction that fails undoes only its own writes and events", () => {
  const seen: string[] = [];
  store.subscribe((e) => seen.push(`${e.name}:${e.resource}`));
  const kept = store.tx(() => {
    const a = createRun(store, { deployment: "a" });
    expect(() =>
      store.tx(() => {
        createRun(store, { deployment: "b" });
        throw new Error("disk full");
      }),
    ).toThrow("disk full");
    return a;
  });
  const rows = rawSqliteForTests(store).query("SELECT deployment FROM flow_runs").all();
  expect(rows).toEqual([{ deployment: "a" }]);
  expect(seen).toEqual([`flow-run.scheduled:${kept.id}`]);
});

test("what runs first after a commit (a run's process) goes ahead of the news, and a failed savepoint drops its own of both", () => {
  const order: string[] = [];
  store.subscribe((e) => order.push(e.name));
  store.tx(() => {
    createRun(store, {});
    store.afterCommit(() => order.push("later"));
    store.afterCommit(() => order.push("start"), true);
    expect(() =>
      store.tx(() => {
        store.afterCommit(() => order.push("undone first"), true);
        store.afterCommit(() => order.push("undone"));
        throw new Error("claim failed");
      }),
    ).toThrow("claim failed");
    expect(order).toEqual([]);
  });
  expect(order).toEqual(["start", "flow-run.scheduled", "later"]);
});

test("a live listener (an event stream) hears of a commit's events after the runs it starts and before the other listeners; a failed savepoint drops its own", () => {
  const order: string[] = [];
  store.subscribe((e) => order.push(`rest ${e.name}`));
  store.subscribe((e) => order.push(`live ${e.name}`), { live: true });
  store.tx(() => {
    const run = createRun(store, {});
    store.afterCommit(() => order.push("start"), true);
    transitionRun(store, run.id, { type: "PENDING" });
    expect(() =>
      store.tx(() => {
        createRun(store, {});
        store.afterCommit(() => order.push("undone start"), true);
        throw new Error("undone");
      }),
    ).toThrow("undone");
  });
  expect(order).toEqual([
    "start",
    "live flow-run.scheduled",
    "live flow-run.pending",
    "rest flow-run.scheduled",
    "rest flow-run.pending",
  ]);
});

test("a run's last lines and the state that ends them reach live listeners in the order they were written", () => {
  const run = createRun(store, {});
  transitionRun(store, run.id, { type: "PENDING" });
  transitionRun(store, run.id, { type: "RUNNING" });
  const order: string[] = [];
  store.subscribe((e) => order.push(`rest ${e.name}`));
  store.subscribe((e) => order.push(`live ${e.name}`), { live: true });
  store.watchLogs((seqs) => order.push(`lines of ${seqs.join(",")}`));
  store.tx(() => {
    appendLogs(store, new Map([[run.seq, [{ at: now, stream: "stderr", line: "last words" }]]]));
    transitionRun(store, run.id, { type: "FAILED" }, { exitCode: 1 });
  });
  expect(order).toEqual([`lines of ${run.seq}`, "live flow-run.failed", "rest flow-run.failed"]);
});

test("several states proposed at once are recorded as one call each would record them, the run's row written once", () => {
  const run = createRun(store, {});
  transitionRun(store, run.id, { type: "PENDING" }, { workerId: "w" });
  const events: string[] = [];
  store.subscribe((e) => events.push(`${e.name} ${e.run?.state_type}`));
  // Each write of the run's row, as a temporary trigger sees it.
  const db = rawSqliteForTests(store);
  db.run("CREATE TEMP TABLE row_writes (state_type TEXT)");
  db.run(
    "CREATE TEMP TRIGGER row_written AFTER UPDATE ON flow_runs BEGIN INSERT INTO row_writes VALUES (new.state_type); END",
  );
  now += 5;
  const startedAt = now;
  now += 7;
  const answers = transitionRunSteps(store, run.id, [
    { proposed: { type: "RUNNING" }, outcome: { pid: 4242, at: startedAt } },
    // Refused (a run that is RUNNING cannot go back to PENDING): changes nothing.
    { proposed: { type: "PENDING" } },
    { proposed: { type: "COMPLETED" }, outcome: { exitCode: 0 } },
  ]);
  expect(
    answers.map((a) => ("refused" in a ? `refused: ${a.run.state_type}` : a.run.state_type)),
  ).toEqual(["RUNNING", "refused: RUNNING", "COMPLETED"]);
  expect((answers[1] as { refused: Error }).refused.message).toMatch(/RUNNING/);
  expect(history(run.seq)).toEqual([
    "SCHEDULED/Scheduled",
    "PENDING/Pending",
    "RUNNING/Running",
    "COMPLETED/Completed",
  ]);
  expect(
    runStates(store, run.seq)
      .map((s) => Date.parse(s.at))
      .slice(2),
  ).toEqual([startedAt, now]);
  expect(getRunOrThrow(store, run.id)).toMatchObject({
    state_type: "COMPLETED",
    attempt: 1,
    pid: 4242,
    exit_code: 0,
    started_at: startedAt,
    ended_at: now,
    worker_id: "w",
  });
  expect(events).toEqual(["flow-run.running RUNNING", "flow-run.completed COMPLETED"]);
  expect(db.query("SELECT state_type FROM row_writes").all()).toEqual([
    { state_type: "COMPLETED" },
  ]);
});

test("runs list by when they are due, newest first, and page by cursor", () => {
  const later = createRun(store, { deployment: "a", scheduledAt: now + 60_000 });
  const sooner = createRun(store, { deployment: "a", scheduledAt: now });
  const due = createRun(store, { deployment: "a", scheduledAt: now - 60_000 });
  const ids = listRuns(store, {}).map((r) => r.id);
  expect(ids).toEqual([later.id, sooner.id, due.id]);
  const [first] = listRuns(store, { limit: 1 });
  const rest = listRuns(store, { before: parseRunCursor(runCursor(first!))! }).map((r) => r.id);
  expect(rest).toEqual([sooner.id, due.id]);
  expect(parseRunCursor("12")).toBeNull();
});

test("a run keeps its place when it starts late and ends; a retry moves it to its new due time", () => {
  const late = createRun(store, { deployment: "a", scheduledAt: now - 60_000, retries: 1 });
  const onTime = createRun(store, { deployment: "a", scheduledAt: now - 30_000 });
  transitionRun(store, late.id, { type: "PENDING" });
  now += 1000;
  const started = transitionRun(store, late.id, { type: "RUNNING" }).run;
  // Started after onTime was due, it still lists below it: by when it was due.
  expect(started.listed_at).toBe(late.scheduled_at);
  expect(listRuns(store, {}).map((r) => r.id)).toEqual([onTime.id, late.id]);
  now += 1000;
  const failed = transitionRun(store, late.id, { type: "FAILED" }).run;
  expect(failed.state_name).toBe("AwaitingRetry");
  expect(failed.listed_at).toBe(failed.scheduled_at);
  expect(listRuns(store, {}).map((r) => r.id)).toEqual([late.id, onTime.id]);
  // The listing, the monitor and the web app share one rule: what is stored is what it says.
  for (const run of listRuns(store, {})) expect(run.listed_at).toBe(runListedAt(run));
});

test("a run cancelled before it started lists by when it was cancelled, not by its due time", () => {
  const slot = createRun(store, { deployment: "a", scheduledAt: now + 3_600_000 });
  now += 1000;
  transitionRun(store, slot.id, { type: "CANCELLED", message: "cancelled by a user" });
  now += 1000;
  const ran = createRun(store, { deployment: "a", scheduledAt: now });
  transitionRun(store, ran.id, { type: "PENDING" });
  transitionRun(store, ran.id, { type: "RUNNING" });
  expect(listRuns(store, {}).map((r) => r.id)).toEqual([ran.id, slot.id]);
  expect(listRuns(store, { deployment: "a", state: "CANCELLED" }).map((r) => r.id)).toEqual([
    slot.id,
  ]);
  const [first] = listRuns(store, { limit: 1 });
  const rest = listRuns(store, { before: parseRunCursor(runCursor(first!))! }).map((r) => r.id);
  expect(rest).toEqual([slot.id]);
});

test("prune deletes finished runs older than the cutoff with their logs, and nothing else", async () => {
  const finish = (type: "COMPLETED" | "FAILED") => {
    const run = createRun(store, { deployment: "p" });
    transitionRun(store, run.id, { type: "PENDING" });
    transitionRun(store, run.id, { type: "RUNNING" });
    appendLogs(store, [[run.seq, [{ at: now, stream: "stdout", line: "x" }]]]);
    transitionRun(store, run.id, { type });
    return run;
  };
  const old = finish("COMPLETED");
  const oldFailed = finish("FAILED");
  const stillRunning = createRun(store, { deployment: "p" });
  transitionRun(store, stillRunning.id, { type: "PENDING" });
  transitionRun(store, stillRunning.id, { type: "RUNNING" });
  const planned = createRun(store, { deployment: "p", scheduledAt: now - 1 });
  now += 40 * 86_400_000;
  const recent = finish("COMPLETED");

  const cutoff = now - 30 * 86_400_000;
  expect(await pruneOlderThan(store, cutoff, true)).toMatchObject({ runs: 2, log_lines: 2 });
  expect(rawSqliteForTests(store).query("SELECT count(*) AS n FROM flow_runs").get()).toEqual({
    n: 5,
  });
  const counts = await pruneOlderThan(store, cutoff);
  expect(counts).toMatchObject({ runs: 2, log_lines: 2 });
  const left = rawSqliteForTests(store)
    .query("SELECT id FROM flow_runs ORDER BY seq")
    .all()
    .map((r) => (r as { id: string }).id);
  expect(left).toEqual([stillRunning.id, planned.id, recent.id]);
  for (const gone of [old, oldFailed]) {
    expect(
      rawSqliteForTests(store)
        .query("SELECT count(*) AS n FROM flow_run_states WHERE run_seq = ?")
        .get(gone.seq),
    ).toEqual({ n: 0 });
    expect(
      rawSqliteForTests(store)
        .query("SELECT count(*) AS n FROM log_lines WHERE run_seq = ?")
        .get(gone.seq),
    ).toEqual({ n: 0 });
  }
});

test("a run's state change and its event carry one time, however often the clock is read", () => {
  // A clock that moves on every read, as a real one may between two statements.
  let tick = now;
  const t = tempDir();
  const s = openStore(join(t.dir, "tick.db"), { clock: { now: () => ++tick } });
  try {
    const run = createRun(s, { deployment: "d", retries: 1, retryDelayMs: 1000 });
    transitionRun(s, run.id, { type: "PENDING" });
    transitionRun(s, run.id, { type: "RUNNING" });
    const waiting = transitionRun(s, run.id, { type: "FAILED" }).run;
    expect(waiting.state_name).toBe("AwaitingRetry");
    const states = runStates(s, run.seq);
    const events = listEvents(s, { prefix: "flow-run." })
      .filter((e) => e.resource === run.id)
      .reverse();
    expect(events.map((e) => new Date(e.at).toISOString())).toEqual(states.map((st) => st.at));
    // The wait a watcher derives from the event: exactly the retry delay.
    expect(waiting.scheduled_at - events.at(-1)!.at).toBe(1000);
  } finally {
    s.close();
    t.cleanup();
  }
});

test("a worker's report of an attempt the run has moved past changes nothing; the current attempt's does", () => {
  const run = createRun(store, { deployment: "d", retries: 0 });
  // Cancelled while its first process was starting: that process's end (attempt 1) is its end.
  transitionRun(store, run.id, { type: "PENDING" });
  transitionRun(store, run.id, { type: "CANCELLING" });
  const ended = transitionRun(store, run.id, { type: "CANCELLED" }, { attempt: 1 });
  expect(ended.run.state_type).toBe("CANCELLED");

  // Paused, resumed and started again: the first process's late end (attempt 1) is stale.
  const paused = createRun(store, { deployment: "d", retries: 0 });
  transitionRun(store, paused.id, { type: "PENDING" });
  transitionRun(store, paused.id, { type: "RUNNING" }, { attempt: 1 });
  transitionRun(store, paused.id, { type: "PAUSED" });
  transitionRun(store, paused.id, { type: "SCHEDULED", name: "Resuming" });
  transitionRun(store, paused.id, { type: "PENDING" });
  const stale = transitionRun(store, paused.id, { type: "PAUSED" }, { attempt: 1 });
  expect(stale.changed).toBe(false);
  transitionRun(store, paused.id, { type: "RUNNING" }, { attempt: 2 });
  expect(transitionRun(store, paused.id, { type: "PAUSED" }, { attempt: 1 }).changed).toBe(false);
  const done = transitionRun(store, paused.id, { type: "COMPLETED" }, { attempt: 2 });
  expect(done.run.state_type).toBe("COMPLETED");
  expect(history(paused.seq)).toEqual([
    "SCHEDULED/Scheduled",
    "PENDING/Pending",
    "RUNNING/Running",
    "PAUSED/Paused",
    "SCHEDULED/Resuming",
    "PENDING/Pending",
    "RUNNING/Running",
    "COMPLETED/Completed",
  ]);
});

test("a resumed run handed back by a lost worker starts as resumed, not as a retry", () => {
  const run = createRun(store, { deployment: "d", retries: 0 });
  transitionRun(store, run.id, { type: "PENDING" });
  transitionRun(store, run.id, { type: "RUNNING" });
  transitionRun(store, run.id, { type: "PAUSED" });
  transitionRun(store, run.id, { type: "SCHEDULED", name: "Resuming" });
  transitionRun(store, run.id, { type: "PENDING" });
  transitionRun(store, run.id, { type: "SCHEDULED", name: "Requeued" });
  transitionRun(store, run.id, { type: "PENDING" });
  const started = transitionRun(store, run.id, { type: "RUNNING" });
  expect(started.run.state_name).toBe("Running");
});

test("run ids grow with time, each with a short id of its own, even in a burst", () => {
  const runs = Array.from({ length: 2000 }, () => createRun(store, { deployment: "d" }));
  const ids = runs.map((r) => r.id);
  for (const id of ids) {
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  }
  // Made in order, they sort in order: the store appends them to its indexes.
  expect(ids).toEqual([...ids].sort());
  // Their first eight characters (the CLI's short id) tell every one apart and find it.
  const short = ids.map((id) => id.slice(0, 8));
  expect(new Set(short).size).toBe(ids.length);
  expect(getRunOrThrow(store, short[1234]!).id).toBe(ids[1234]);
});

test("a store opened again carries over how far a burst took run ids ahead of the clock", () => {
  const SPAN = 0x1_0000_0000;
  // A later clock than any test has used: nothing made so far is ahead of it.
  const now = Date.now() + 10 * 86_400_000;
  const tail = newRunId(now).slice(8);
  // As after a restart: the newest stored id is five minutes ahead of the clock (a burst).
  const stored = `${((now + 300_000) % SPAN).toString(16).padStart(8, "0")}${tail}`;
  seedRunIds(stored, now);
  expect(Number.parseInt(newRunId(now).slice(0, 8), 16)).toBe((now + 300_001) % SPAN);
  // A head far ahead of the clock is an older orch's random id: it changes nothing.
  const later = now + 86_400_000;
  seedRunIds(`${((later + 30 * 86_400_000) % SPAN).toString(16).padStart(8, "0")}${tail}`, later);
  expect(Number.parseInt(newRunId(later).slice(0, 8), 16)).toBe(later % SPAN);
});

test("a schedule's run waiting for its retry is listed with what happened; a planned future one is not", () => {
  const retrying = createRun(store, {
    deployment: "d",
    createdBy: "schedule",
    retries: 1,
    retryDelayMs: 60_000,
  });
  transitionRun(store, retrying.id, { type: "PENDING" });
  transitionRun(store, retrying.id, { type: "RUNNING" }, { pid: 1 });
  transitionRun(store, retrying.id, { type: "FAILED" }, { exitCode: 3 });
  const planned = createRun(store, {
    deployment: "d",
    createdBy: "schedule",
    scheduledAt: now + 60_000,
  });
  const listed = listRuns(store, { deployment: "d", plannedAfter: now }).map((r) => r.id);
  expect(listed).toEqual([retrying.id]);
  expect(
    listRuns(store, { deployment: "d" })
      .map((r) => r.id)
      .sort(),
  ).toEqual([retrying.id, planned.id].sort());
});

test("a new run is answered as stored, every column, without reading it back", () => {
  const minimal = createRun(store, {});
  const full = createRun(store, {
    deploymentId: null,
    deployment: "etl",
    version: 3,
    parentId: minimal.id,
    parameters: { day: "2026-11-30", n: 2 },
    tags: ["nightly", "etl"],
    workPool: "gpu",
    workQueue: "fast",
    retries: 2,
    retryDelayMs: 30_000,
    scheduledAt: now + 60_000,
    idempotencyKey: "k1",
    createdBy: "trigger",
    message: "made by a test",
    triggerChain: ["ingest"],
    backfillId: "b1",
    slotAt: now - 86_400_000,
    flowName: "child",
    name: "etl for 2026-11-30",
    options: { timeout_ms: 5000, env: { A: "1" } },
    triggeredBy: { deployment: "etl", trigger: "on-ingest", event: "ingest.done", event_id: 7 },
  });
  for (const made of [minimal, full]) {
    const { start_state: _, ...stored } = rawSqliteForTests(store)
      .query("SELECT * FROM flow_runs WHERE id = ?")
      .get(made.id) as Record<string, unknown>;
    expect(made).toEqual(stored);
  }
});
