import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { RunRow } from "../../src/store/index.ts";
import {
  createRun,
  registerWorker,
  removeDeployment,
  setDeploymentPaused,
  transitionRun,
} from "../../src/store/index.ts";
import { createLab, duplicateSlots, type Lab, schedule, settle } from "./helpers.ts";

const T0 = Date.parse("2026-05-05T10:00:00.000Z");
const MINUTE = 60_000;
let lab: Lab;
beforeEach(() => {
  lab = createLab(T0);
});
afterEach(() => lab.cleanup());

const waiting = (runs: RunRow[]) => runs.filter((r) => r.state_type === "SCHEDULED");
const iso = (t: number) => new Date(t).toISOString();

describe("planning ahead", () => {
  test("each active schedule's next runs exist as SCHEDULED runs with slot keys and their parameters", () => {
    lab.deploy({
      name: "etl",
      parameters: { day: "today", limit: 100 },
      schedules: [
        schedule({ interval_ms: MINUTE }),
        schedule({ cron: "0 12 * * *", parameters: { limit: 10 } }),
        schedule({ cron: "* * * * *", active: false }),
      ],
    });
    lab.start();
    const runs = lab.runs("etl");
    const every = runs.filter((r) => JSON.parse(r.parameters).limit === 100);
    const noon = runs.filter((r) => JSON.parse(r.parameters).limit === 10);
    expect(every.map((r) => iso(r.scheduled_at))).toEqual(
      Array.from({ length: 10 }, (_, i) => iso(T0 + (i + 1) * MINUTE)),
    );
    expect(noon.map((r) => iso(r.scheduled_at))).toEqual(["2026-05-05T12:00:00.000Z"]);
    expect(JSON.parse(noon[0]!.parameters)).toEqual({ day: "today", limit: 10 });
    for (const r of runs) {
      expect(r).toMatchObject({
        state_type: "SCHEDULED",
        state_name: "Scheduled",
        created_by: "schedule",
      });
      expect(r.idempotency_key).toMatch(/^schedule:etl:[0-9a-f]{16}:2026-05-05T/);
    }
  });

  test("one timer, set just before the next planned run; as time passes the plan is topped up", async () => {
    lab.deploy({ name: "tick", schedules: [schedule({ interval_ms: MINUTE })] });
    lab.start();
    expect(lab.time.pending()).toBe(1);
    expect(lab.time.nextIn()).toBe(MINUTE - 2);
    await lab.time.advance(3 * MINUTE);
    lab.runDue();
    await lab.time.advance(1);
    expect(lab.time.pending()).toBe(1);
    const runs = lab.runs("tick");
    expect(runs.filter((r) => r.state_type === "COMPLETED")).toHaveLength(3);
    expect(waiting(runs)).toHaveLength(10);
    expect(waiting(runs)[0]!.scheduled_at).toBe(T0 + 4 * MINUTE);
  });

  test("with nothing to schedule, no timer is set at all", () => {
    lab.deploy({ name: "manual-only" });
    lab.start();
    expect(lab.time.pending()).toBe(0);
  });
});

describe("idempotency", () => {
  test("a restart plans the same slots again without a second run for any of them", async () => {
    lab.deploy({ name: "etl", schedules: [schedule({ cron: "*/5 * * * *" })] });
    const first = lab.start();
    const before = lab.runs("etl").map((r) => r.id);
    first.stop();
    await lab.time.advance(1000);
    // A second process on the same database file.
    const other = lab.open();
    lab.start({}, other);
    expect(lab.runs("etl").map((r) => r.id)).toEqual(before);
    expect(duplicateSlots(lab.store)).toEqual([]);
  });

  test("two schedulers racing on one database, with a redeploy in the middle, make one run per slot", async () => {
    lab.deploy({
      name: "etl",
      parameters: { v: 1 },
      schedules: [schedule({ interval_ms: MINUTE })],
    });
    const other = lab.open();
    lab.start();
    // The definition changes (new version) while the first scheduler has planned; a second
    // scheduler on another connection plans too, then the first one sees the change.
    lab.deploy(
      { name: "etl", parameters: { v: 2 }, schedules: [schedule({ interval_ms: MINUTE })] },
      other,
    );
    lab.start({}, other);
    await settle();
    await lab.time.advance(MINUTE);
    expect(duplicateSlots(lab.store)).toEqual([]);
    const future = waiting(lab.runs("etl")).filter((r) => r.scheduled_at > lab.time.now());
    expect(future.length).toBe(10);
    expect(new Set(future.map((r) => r.version))).toEqual(new Set([2]));
    expect(new Set(future.map((r) => JSON.parse(r.parameters).v))).toEqual(new Set([2]));
    const keys = future.map((r) => r.idempotency_key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test("a changed schedule replaces its future runs in one go; manual runs are never touched", async () => {
    const d = lab.deploy({ name: "etl", schedules: [schedule({ cron: "0 * * * *" })] });
    lab.start();
    const manual = createRun(lab.store, {
      deploymentId: d.id,
      deployment: "etl",
      version: d.version,
      scheduledAt: T0 + 30 * MINUTE,
    });
    lab.deploy({ name: "etl", schedules: [schedule({ cron: "30 * * * *" })] });
    await settle();
    const runs = waiting(lab.runs("etl"));
    expect(
      runs
        .filter((r) => r.created_by === "schedule")
        .map((r) => new Date(r.scheduled_at).getUTCMinutes()),
    ).toEqual(Array(10).fill(30));
    expect(runs.find((r) => r.id === manual.id)).toMatchObject({
      state_type: "SCHEDULED",
      version: 1,
    });
  });
});

describe("late runs", () => {
  test("a run not started 5 s after its time is Late, with the reason: no worker for its pool", async () => {
    lab.deploy({ name: "etl", work_pool: "gpu", schedules: [schedule({ interval_ms: MINUTE })] });
    lab.start();
    await lab.time.advance(MINUTE + 4000);
    expect(lab.runs("etl")[0]).toMatchObject({ state_name: "Scheduled" });
    await lab.time.advance(1000);
    const late = lab.runs("etl")[0]!;
    expect(late).toMatchObject({ state_type: "SCHEDULED", state_name: "Late" });
    expect(late.state_message).toBe(
      "late: not started 5s after its time; no worker is online for work pool gpu (start one: orch worker --pool gpu)",
    );
  });

  test("…or: orch was stopped while it waited, when it became late before orch started", async () => {
    const d = lab.deploy({ name: "etl", work_pool: "gpu" });
    // Due 20 s ago, while orch was down: no worker now is not why it waited.
    createRun(lab.store, {
      deploymentId: d.id,
      deployment: "etl",
      version: 1,
      scheduledAt: T0 - 20_000,
    });
    lab.start();
    await settle();
    const late = lab.runs("etl").find((r) => r.state_name === "Late")!;
    expect(late.state_message).toBe(
      "late: not started 20s after its time; orch was stopped (or this machine slept) while it waited",
    );
  });

  test("…or: its deployment's concurrency limit is full", async () => {
    const d = lab.deploy({
      name: "etl",
      concurrency: { limit: 1, collision: "enqueue" },
      schedules: [schedule({ interval_ms: MINUTE })],
    });
    registerWorker(lab.store, {
      id: "w1",
      name: "w",
      pool: "default",
      host: "h",
      pid: 1,
      concurrency: 4,
    });
    const busy = createRun(lab.store, { deploymentId: d.id, deployment: "etl", version: 1 });
    transitionRun(lab.store, busy.id, { type: "PENDING" });
    transitionRun(lab.store, busy.id, { type: "RUNNING" });
    lab.start();
    await lab.time.advance(MINUTE + 5000);
    const late = lab.runs("etl").find((r) => r.state_name === "Late")!;
    expect(late.state_message).toMatch(
      /deployment etl is at its concurrency limit \(1 of 1 runs active\)$/,
    );
  });
});

describe("late runs made by hand", () => {
  test("runs created by hand while the timer waits for a schedule each turn Late 5 s after their time", async () => {
    const d = lab.deploy({
      name: "etl",
      work_pool: "gpu",
      schedules: [schedule({ cron: "30 * * * *" })],
    });
    lab.start();
    expect(lab.time.nextIn()).toBeGreaterThan(20 * MINUTE);
    const first = createRun(lab.store, { deploymentId: d.id, deployment: "etl", workPool: "gpu" });
    await settle();
    expect(lab.time.nextIn()).toBe(5000);
    await lab.time.advance(1000);
    // Due a second later than the first: the timer already set covers it.
    const second = createRun(lab.store, { deploymentId: d.id, deployment: "etl", workPool: "gpu" });
    await settle();
    await lab.time.advance(4000);
    const byId = (id: string) => lab.runs("etl").find((r) => r.id === id)!;
    expect(byId(first.id).state_name).toBe("Late");
    expect(byId(second.id).state_name).toBe("Scheduled");
    await lab.time.advance(1000);
    expect(byId(second.id).state_name).toBe("Late");
  });

  test("a run created for a time already past is Late at once, even while an earlier timer is set", async () => {
    const d = lab.deploy({ name: "etl", work_pool: "gpu" });
    lab.start();
    createRun(lab.store, { deploymentId: d.id, deployment: "etl", workPool: "gpu" });
    await settle();
    expect(lab.time.nextIn()).toBe(5000);
    const old = createRun(lab.store, {
      deploymentId: d.id,
      deployment: "etl",
      workPool: "gpu",
      scheduledAt: T0 - 10 * MINUTE,
    });
    await settle();
    await lab.time.advance(0);
    expect(lab.runs("etl").find((r) => r.id === old.id)!.state_name).toBe("Late");
  });
});

describe("catch-up after a sleep", () => {
  /** Run a 1-minute schedule for 3 minutes, then sleep an hour, then wake. */
  async function sleepAnHour(catchup: "latest" | "all" | "none") {
    lab.deploy({ name: "job", schedules: [schedule({ interval_ms: MINUTE, catchup })] });
    lab.start();
    for (let i = 0; i < 3; i++) {
      await lab.time.advance(MINUTE);
      lab.runDue();
    }
    lab.time.sleep(60 * MINUTE);
    await lab.time.advance(MINUTE); // the next timer fires, an hour late by the wall clock
    const wokeAt = lab.time.now();
    const missed = lab
      .runs("job")
      .filter((r) => r.scheduled_at > T0 + 3 * MINUTE && r.scheduled_at <= wokeAt - 5000);
    return { missed, wokeAt };
  }

  test("latest: one run for the missed window, the rest recorded as skipped", async () => {
    const { missed, wokeAt } = await sleepAnHour("latest");
    const due = waiting(missed);
    expect(due).toHaveLength(1);
    expect(due[0]!.scheduled_at).toBe(Math.floor((wokeAt - 5000) / MINUTE) * MINUTE);
    const skipped = missed.filter((r) => r.state_type === "CANCELLED");
    // The planned runs that fell in the window, one by one, and one record for the rest.
    expect(skipped.length).toBe(11);
    expect(skipped[0]!.state_message).toBe(
      "skipped: missed while the machine slept (or its clock was set forward) (catchup: latest)",
    );
    expect(skipped.at(-1)!.state_message).toMatch(
      /^skipped 49 runs from 2026-05-05T10:14:00.000Z to 2026-05-05T11:02:00.000Z: missed while the machine slept \(or its clock was set forward\) \(catchup: latest\)$/,
    );
    // A worker now takes that run and the one due on time (11:04); nothing else from the window.
    expect(lab.runDue().map((r) => iso(r.scheduled_at))).toEqual([
      iso(due[0]!.scheduled_at),
      "2026-05-05T11:04:00.000Z",
    ]);
    expect(duplicateSlots(lab.store)).toEqual([]);
  });

  test("all: every missed slot runs (up to the cap)", async () => {
    const { missed } = await sleepAnHour("all");
    expect(waiting(missed)).toHaveLength(60);
    expect(missed.filter((r) => r.state_type === "CANCELLED")).toHaveLength(0);
  });

  test("none: nothing runs for the window, and all of it is recorded as skipped", async () => {
    const { missed } = await sleepAnHour("none");
    expect(waiting(missed)).toHaveLength(0);
    const skipped = missed.filter((r) => r.state_type === "CANCELLED");
    expect(skipped.at(-1)!.state_message).toMatch(
      /^skipped 50 runs from 2026-05-05T10:14:00.000Z to 2026-05-05T11:03:00.000Z: .*\(catchup: none\)$/,
    );
    // The schedule goes on from now.
    expect(waiting(lab.runs("job")).filter((r) => r.scheduled_at > lab.time.now())).toHaveLength(
      10,
    );
  });

  test("after downtime, at start: the policy applies to what was missed while orch was down", async () => {
    lab.deploy({ name: "job", schedules: [schedule({ cron: "*/10 * * * *" })] });
    const first = lab.start();
    await lab.time.advance(10 * MINUTE);
    lab.runDue();
    first.stop();
    lab.time.sleep(3 * 60 * MINUTE);
    lab.start();
    const runs = lab.runs("job");
    const due = waiting(runs).filter((r) => r.scheduled_at <= lab.time.now());
    // The latest missed slot, and the one due now (on time, not missed).
    expect(due.map((r) => iso(r.scheduled_at))).toEqual([
      "2026-05-05T13:00:00.000Z",
      "2026-05-05T13:10:00.000Z",
    ]);
    expect(runs.filter((r) => r.state_type === "CANCELLED").at(-1)!.state_message).toMatch(
      /missed while orch was not running \(catchup: latest\)$/,
    );
  });
});

describe("pause and resume", () => {
  test("pause removes the future schedule runs; resume plans again from now with the catch-up policy", async () => {
    const d = lab.deploy({ name: "etl", schedules: [schedule({ interval_ms: MINUTE })] });
    lab.start();
    await lab.time.advance(MINUTE);
    lab.runDue();
    const manual = createRun(lab.store, {
      deploymentId: d.id,
      deployment: "etl",
      version: 1,
      scheduledAt: T0 + 90 * MINUTE,
    });
    setDeploymentPaused(lab.store, "etl", true);
    await settle();
    expect(waiting(lab.runs("etl")).map((r) => r.id)).toEqual([manual.id]);

    await lab.time.advance(30 * MINUTE);
    expect(waiting(lab.runs("etl")).map((r) => r.id)).toEqual([manual.id]);
    setDeploymentPaused(lab.store, "etl", false);
    await settle();
    const now = lab.time.now();
    const runs = waiting(lab.runs("etl")).filter((r) => r.created_by === "schedule");
    // catchup: latest: one run for the paused window, the one due now, then the plan from now on.
    expect(runs.filter((r) => r.scheduled_at <= now).map((r) => iso(r.scheduled_at))).toEqual([
      "2026-05-05T10:30:00.000Z",
      "2026-05-05T10:31:00.000Z",
    ]);
    expect(runs.filter((r) => r.scheduled_at > now)).toHaveLength(10);
    expect(
      lab
        .runs("etl")
        .filter((r) => r.state_type === "CANCELLED")
        .at(-1)!.state_message,
    ).toMatch(/missed while the deployment was paused \(catchup: latest\)$/);
  });

  test("removing a deployment removes its planned runs and its timer", async () => {
    lab.deploy({ name: "etl", schedules: [schedule({ interval_ms: MINUTE })] });
    lab.start();
    removeDeployment(lab.store, "etl", "test");
    await settle();
    expect(lab.runs("etl")).toEqual([]);
    expect(lab.time.pending()).toBe(0);
  });
});
