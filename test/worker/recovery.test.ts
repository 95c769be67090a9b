import { Database } from "bun:sqlite";
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import {
  acknowledgeNotices,
  getRun,
  getWorker,
  listEvents,
  listNotices,
  openStore,
  registerWorker,
  transitionRun,
} from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import {
  createReaper,
  findMarkedProcesses,
  groupMembers,
  processStartTime,
  reapStaleWorkers,
  spawnRun,
} from "../../src/worker/index.ts";
import { createMarker } from "../processes.ts";
import { createLab, eventually, type Lab, makeSpec } from "./helpers.ts";

let lab: Lab;
beforeEach(() => {
  lab = createLab();
});
afterEach(async () => {
  await lab.cleanup();
});

/** Record a run as a dead orch left it: claimed by an embedded worker, RUNNING with a pid. */
function leaveRunning(pid: number | null, workerName = "embedded") {
  const d = lab.deploy({ name: `left-${pid}`, command: ["true"] });
  const run = lab.trigger(d);
  const workerId = crypto.randomUUID();
  registerWorker(lab.store, {
    id: workerId,
    name: workerName,
    pool: "default",
    host: hostname(),
    pid: 1,
    concurrency: 1,
  });
  transitionRun(lab.store, run.id, { type: "PENDING" }, { workerId });
  if (pid !== null) {
    transitionRun(
      lab.store,
      run.id,
      { type: "RUNNING" },
      { pid, pidStarted: processStartTime(pid) },
    );
  }
  return { run, workerId };
}

test("a run's RUNNING names its live process by pid and start time; one that ended before its RUNNING was written names none", async () => {
  const marker = createMarker("start-time");
  const done = join(lab.dir, "done");
  const long = lab.deploy({
    name: "long",
    command: ["sh", "-c", `while [ ! -e '${done}' ]; do sleep 0.02; done`],
    env: marker.env,
  });
  const short = lab.deploy({ name: "short", command: ["true"] });
  // A window longer than the test: a RUNNING is written with its run's end, or with whatever
  // else the worker writes meanwhile.
  await lab.startWorker({ runningWindowMs: 60_000 });
  // A run alone: its process was gone (collected) when its RUNNING was written, with its end.
  const alone = await lab.waitFor(lab.trigger(short).id, "COMPLETED");
  expect(alone.pid).toBeGreaterThan(0);
  expect(alone.pid_started).toBeNull();
  const longRun = lab.trigger(long);
  await marker.appeared();
  // Another run's end writes the long run's RUNNING while its process runs.
  await lab.waitFor(lab.trigger(short).id, "COMPLETED");
  const running = await lab.waitFor(longRun.id, "RUNNING");
  // What recovery compares, to tell the process from another that took its pid later.
  expect(marker.pids()).toContain(running.pid);
  expect(running.pid_started).toBe(processStartTime(running.pid!));
  if (process.platform === "linux") expect(running.pid_started).toMatch(/^\d+$/);
  writeFileSync(done, "");
  await lab.waitFor(longRun.id, "COMPLETED");
});

test("a new embedded worker stops a live leftover process tree and crashes its run", async () => {
  const orphan = Bun.spawn(["sh", "-c", 'trap "" TERM; sleep 100 & wait'], {
    detached: true,
    stdout: "ignore",
  });
  await eventually(() => groupMembers(orphan.pid).length === 2, 3000, "the tree to start");
  const { run, workerId } = leaveRunning(orphan.pid);
  await lab.startWorker({ graceMs: 200 });
  const crashed = await lab.waitFor(run.id, "CRASHED");
  expect(crashed.state_message).toBe(
    `orch stopped while this run was RUNNING (pid ${orphan.pid}); its process was stopped`,
  );
  expect(await orphan.exited).not.toBe(0);
  await eventually(() => groupMembers(orphan.pid).length === 0, 2000, "the group to go");
  expect(getWorker(lab.store, workerId)?.status).toBe("offline");
});

test("a leftover whose process already exited is crashed, and a reused pid is left alone", async () => {
  const gone = Bun.spawn(["true"]);
  await gone.exited;
  const { run } = leaveRunning(gone.pid);
  // A live process with a different start time than recorded: the pid was reused.
  const other = Bun.spawn(["sleep", "100"], { detached: true });
  const { run: reused } = leaveRunning(other.pid);
  rawSqliteForTests(lab.store)
    .query("UPDATE flow_runs SET pid_started = '1' WHERE id = ?")
    .run(reused.id);
  const pending = leaveRunning(null).run;
  await lab.startWorker();
  expect((await lab.waitFor(run.id, "CRASHED")).state_message).toBe(
    `orch stopped while this run was RUNNING (pid ${gone.pid}); its process had already exited`,
  );
  expect((await lab.waitFor(reused.id, "CRASHED")).state_message).toMatch(/had already exited$/);
  expect(other.exitCode).toBeNull();
  other.kill("SIGKILL");
  expect((await lab.waitFor(pending.id, "CRASHED")).state_message).toBe(
    "orch stopped while this run was PENDING, before its start was recorded; no process of it is left",
  );
});

test("a worker that stops heartbeating is marked offline; its RUNNING run is CRASHED, the one it never started goes back to the queue and another worker runs it", async () => {
  const { run, workerId } = leaveRunning(null, "remote-1");
  const running = lab.trigger(lab.deploy({ name: "left-running", command: ["true"] }));
  transitionRun(lab.store, running.id, { type: "PENDING" }, { workerId });
  // The pid of a process this test owns: were anything to signal it, only this test's own would go.
  const remote = Bun.spawn(["sleep", "100"]);
  try {
    transitionRun(lab.store, running.id, { type: "RUNNING" }, { pid: remote.pid });
    rawSqliteForTests(lab.store)
      .query("UPDATE workers SET last_heartbeat = last_heartbeat - 60000 WHERE id = ?")
      .run(workerId);
    // A remote worker that is still online is not the embedded worker's to recover.
    await lab.startWorker();
    expect((await lab.waitFor(run.id, ["PENDING", "CRASHED"])).state_type).toBe("PENDING");
    const lost = reapStaleWorkers(lab.store, { staleAfterMs: 30_000 });
    expect(lost.map((r) => [r.id, r.state_type, r.state_name])).toEqual([
      [run.id, "SCHEDULED", "Requeued"],
      [running.id, "CRASHED", "Crashed"],
    ]);
    expect(lost[0]!.state_message).toMatch(
      /^worker remote-1 on .* stopped heartbeating \(last at .*\) while this run was PENDING, before it reported the run started: back in the queue for another worker$/,
    );
    expect(getWorker(lab.store, workerId)?.status).toBe("offline");
    const done = await lab.waitFor(run.id, "COMPLETED");
    expect(done.worker_id).not.toBe(workerId);
  } finally {
    remote.kill("SIGKILL");
  }
});

test("after this machine sleeps, a silent worker gets a full timeout before its runs crash", () => {
  let now = 1_000_000;
  const store = openStore(join(lab.dir, "sleep.db"), { clock: { now: () => now } });
  try {
    registerWorker(store, {
      id: "w",
      name: "remote",
      pool: "default",
      host: "h",
      pid: 1,
      concurrency: 1,
    });
    const reap = createReaper(store, { staleAfterMs: 30_000, periodMs: 10_000 });
    now += 10_000;
    expect(reap()).toEqual([]);
    // The laptop sleeps for an hour: the first tick after waking must not blame the worker.
    now += 3_600_000;
    reap();
    expect(getWorker(store, "w")?.status).toBe("online");
    now += 10_000;
    reap();
    expect(getWorker(store, "w")?.status).toBe("online");
    // Still silent a full timeout after waking (ticks every 10 s): now it is offline.
    for (let i = 0; i < 3; i++) {
      now += 10_000;
      reap();
    }
    expect(getWorker(store, "w")?.status).toBe("offline");
  } finally {
    store.close();
  }
});

test("a process spawned just before orch died, its pid never recorded, is found and stopped", async () => {
  const marker = createMarker("unrecorded");
  try {
    // orch claimed the run and spawned its process, then died before recording RUNNING.
    const { run } = leaveRunning(null);
    const spec = makeSpec({
      name: "left",
      command: ["sh", "-c", 'trap "" TERM; sleep 100 & wait'],
      env: marker.env,
    });
    const job = { runId: run.id, deployment: "left", spec, parameters: {}, attempt: 1 };
    const handle = spawnRun({ ...job, bundleDir: lab.dir, inPlace: true });
    await eventually(() => marker.pids().length === 2, 3000, "the tree to start");
    await lab.startWorker({ graceMs: 200 });
    const crashed = await lab.waitFor(run.id, "CRASHED");
    expect(crashed.state_message).toBe(
      "orch stopped while this run was PENDING, before its pid was recorded; its process was stopped",
    );
    expect((await handle.exited).signal).toBe("SIGKILL");
    await eventually(() => marker.pids().length === 0, 3000, "the tree to go");
  } finally {
    marker.kill();
  }
});

test("a failure to record a leftover run CRASHED is reported, not hidden", async () => {
  // A run left PENDING by an orch that recorded no worker for it.
  const run = lab.trigger(lab.deploy({ name: "left", command: ["true"] }));
  transitionRun(lab.store, run.id, { type: "PENDING" });
  // A real SQLite error on the store's own file, from the write that records CRASHED.
  const db = new Database(join(lab.dir, "orch.db"));
  db.run(`CREATE TRIGGER refuse_crash BEFORE UPDATE OF state_type ON flow_runs
    WHEN NEW.state_type = 'CRASHED' BEGIN SELECT RAISE(ABORT, 'the disk is on fire'); END`);
  db.close();
  const errors: string[] = [];
  const logger = {
    info() {},
    warn() {},
    error: (...args: unknown[]) => errors.push(args.join(" ")),
  };
  await expect(lab.startWorker({ logger })).rejects.toThrow(/the disk is on fire/);
  expect(errors[0]).toMatch(`could not record run ${run.id} as CRASHED:`);
  expect(getRun(lab.store, run.id)?.state_type).toBe("PENDING");
});

test("a run crashed at start-up is kept as a notice until acknowledged", async () => {
  const gone = Bun.spawn(["true"]);
  await gone.exited;
  const { run } = leaveRunning(gone.pid);
  await lab.startWorker({ graceMs: 200 });
  await lab.waitFor(run.id, "CRASHED");
  const notices = listNotices(lab.store);
  expect(notices.map((n) => [n.kind, n.resource])).toEqual([["crashed", run.id]]);
  expect(notices[0]!.message).toMatch(
    new RegExp(
      `^run ${run.id.slice(0, 8)} of left-\\d+ crashed: orch stopped while this run was RUNNING`,
    ),
  );
  expect(listEvents(lab.store, { prefix: "notice." }).map((e) => e.name)).toEqual([
    "notice.created",
  ]);
  expect(acknowledgeNotices(lab.store)).toBe(1);
  expect(listNotices(lab.store)).toEqual([]);
  expect(listEvents(lab.store, { prefix: "notice." }).map((e) => e.name)).toEqual([
    "notice.acknowledged",
    "notice.created",
  ]);
});

test("while a start is held back, the run is PENDING and its process carries the run's mark, which recovery finds by", async () => {
  const marker = createMarker("held");
  try {
    const d = lab.deploy({
      name: "held",
      command: ["sh", "-c", "sleep 100"],
      env: marker.env,
    });
    const run = lab.trigger(d);
    // A window far longer than the test: the start stays unrecorded while the process runs.
    await lab.startWorker({ runningWindowMs: 60_000 });
    const [pid] = await marker.appeared();
    const now = getRun(lab.store, run.id)!;
    expect([now.state_type, now.pid]).toEqual(["PENDING", null]);
    expect(findMarkedProcesses({ runId: run.id })).toContain(pid);
  } finally {
    marker.kill();
  }
});
