import { afterEach, beforeEach, expect, test } from "vitest";
import type { Pacer } from "../../src/core/index.ts";
import type { Scheduler } from "../../src/scheduler/index.ts";
import { createDeploymentRun, type RunRow, setDeploymentPaused } from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { createLab, duplicateSlots, type Lab, schedule, settle } from "./helpers.ts";

const T0 = Date.parse("2026-05-05T10:00:00.000Z");
const HOUR = 3_600_000;
let lab: Lab;
beforeEach(() => {
  lab = createLab(T0);
});
afterEach(() => lab.cleanup());

const planned = (name: string) => lab.runs(name).filter((r) => r.state_type === "SCHEDULED");

test("many deployments are planned in batches: every next run first, then every horizon", async () => {
  const names = Array.from({ length: 5 }, (_, i) => `d${i}`);
  for (const name of names) lab.deploy({ name, schedules: [schedule({ interval_ms: HOUR })] });
  // A pacer whose slice is always over: one deployment a batch, a rest between batches.
  let rests = 0;
  const pacer: Pacer = {
    over: () => true,
    rest: () => {
      rests++;
      return settle();
    },
  };
  const scheduler = lab.start({ pacer });
  // The first batch planned one deployment's next run; the others wait their turn.
  expect(names.map((n) => planned(n).length)).toEqual([1, 0, 0, 0, 0]);
  expect(scheduler.waiting()).toBe(4);

  await scheduler.nextPlanned();
  // Every deployment has its next run before any has the rest of its horizon.
  expect(names.map((n) => planned(n).length)).toEqual([1, 1, 1, 1, 1]);

  await scheduler.idle();
  expect(names.map((n) => planned(n).length)).toEqual([10, 10, 10, 10, 10]);
  // The rest of the horizons went in in time order: every deployment's second slot, then every
  // third (a slot a batch here: 5 next runs, then 45 slots), so the store appends to its
  // time-keyed indexes.
  expect(rests).toBe(49);
  const bySeq = names.flatMap((n) => planned(n)).sort((a, b) => a.seq - b.seq);
  const times = bySeq.map((r) => r.scheduled_at);
  expect(times).toEqual([...times].sort((a, b) => a - b));
});

test("a deployment changed between its next run and the rest of its horizon gets its new version's runs", async () => {
  for (const name of ["a", "b"]) {
    lab.deploy({ name, parameters: { v: 1 }, schedules: [schedule({ interval_ms: HOUR })] });
  }
  let changed = false;
  const pacer: Pacer = {
    over: () => true,
    rest: () => {
      // Once every next run is planned, before the rest of any horizon: a, redeployed.
      if (!changed && planned("a").length === 1 && planned("b").length === 1) {
        changed = true;
        lab.deploy({
          name: "a",
          parameters: { v: 2 },
          schedules: [schedule({ interval_ms: HOUR })],
        });
      }
      return settle();
    },
  };
  await lab.start({ pacer }).idle();
  expect(changed).toBe(true);
  const runs = planned("a");
  expect(runs).toHaveLength(10);
  expect(runs.map((r) => [r.version, JSON.parse(r.parameters).v])).toEqual(
    Array.from({ length: 10 }, () => [2, 2]),
  );
  expect(planned("b")).toHaveLength(10);
  expect(duplicateSlots(lab.store)).toEqual([]);
});

test("a deployment paused between its next run and the rest of its horizon keeps no planned run", async () => {
  for (const name of ["a", "b"]) lab.deploy({ name, schedules: [schedule({ interval_ms: HOUR })] });
  let paused = false;
  const pacer: Pacer = {
    over: () => true,
    rest: () => {
      if (!paused && planned("a").length === 1 && planned("b").length === 1) {
        paused = true;
        setDeploymentPaused(lab.store, "a", true);
      }
      return settle();
    },
  };
  await lab.start({ pacer }).idle();
  expect(paused).toBe(true);
  expect(planned("a")).toEqual([]);
  expect(planned("b")).toHaveLength(10);
});

test("without a pacer, planning is one pass, done when the scheduler starts", () => {
  lab.deploy({ name: "a", schedules: [schedule({ interval_ms: HOUR })] });
  lab.deploy({ name: "b", schedules: [schedule({ interval_ms: HOUR })] });
  lab.start();
  expect(planned("a")).toHaveLength(10);
  expect(planned("b")).toHaveLength(10);
});

/** What a run holds beyond who it is and when it was made: planning and a trigger must agree. */
const shape = (run: RunRow) => ({
  deployment: run.deployment,
  version: run.version,
  parameters: JSON.parse(run.parameters),
  tags: JSON.parse(run.tags),
  name: run.name,
  work_pool: run.work_pool,
  work_queue: run.work_queue,
  retries: run.retries,
  retry_delay_ms: run.retry_delay_ms,
  state: [run.state_type, run.state_name, run.state_message],
  slot_at: run.slot_at,
  created_by: run.created_by,
});

test("a planned run holds what any run of its deployment holds, with its history and event", () => {
  lab.deploy({
    name: "etl",
    parameters: { day: "today", limit: 100 },
    tags: ["nightly"],
    run_name: "etl-{{ parameters.limit }}",
    retries: 2,
    retry_delay_ms: 30_000,
    work_queue: "slow",
    schedules: [schedule({ interval_ms: HOUR, parameters: { limit: 10 } })],
  });
  lab.start();
  const runs = planned("etl");
  expect(runs).toHaveLength(10);
  // The same slot made through the one way every caller makes a deployment's run.
  const sql = rawSqliteForTests(lab.store);
  const first = runs[0]!;
  sql.query("DELETE FROM flow_runs WHERE seq = ?").run(first.seq);
  const made = createDeploymentRun(lab.store, "etl", {
    base: { limit: 10 },
    scheduledAt: first.scheduled_at,
    idempotencyKey: first.idempotency_key,
    createdBy: "schedule",
    message: first.state_message,
  });
  for (const run of [...runs.slice(1), made]) {
    expect(shape(run)).toEqual({ ...shape(made), slot_at: run.scheduled_at });
    const states = sql
      .query("SELECT type, name, message FROM flow_run_states WHERE run_seq = ?")
      .all(run.seq);
    expect(states).toEqual([{ type: "SCHEDULED", name: "Scheduled", message: run.state_message }]);
    const tags = sql.query("SELECT tag FROM flow_run_tags WHERE run_seq = ?").all(run.seq);
    expect(tags).toEqual([{ tag: "nightly" }]);
  }
  const events = sql
    .query("SELECT resource, payload FROM events WHERE name = 'flow-run.scheduled'")
    .all() as { resource: string; payload: string }[];
  expect(new Set(events.map((e) => e.resource))).toEqual(new Set([...runs, made].map((r) => r.id)));
  expect(events.every((e) => JSON.parse(e.payload).deployment === "etl")).toBe(true);
});

test("a deployment whose planning fails midway keeps none of its runs; the others are planned", () => {
  for (const name of ["a", "bad", "c"]) {
    lab.deploy({ name, schedules: [schedule({ interval_ms: HOUR })] });
  }
  // The store fails on the third run of one deployment, after two went in (a full disk, say).
  rawSqliteForTests(lab.store).run(
    `CREATE TEMP TRIGGER fail_third BEFORE INSERT ON flow_run_states
     WHEN (SELECT count(*) FROM flow_runs WHERE deployment = 'bad') >= 3
     BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`,
  );
  lab.start();
  expect(planned("a")).toHaveLength(10);
  expect(planned("c")).toHaveLength(10);
  // Its first pass (the next run) went in; of the failed pass, nothing: not the run before the
  // failure, nor the one without its history, nor their events.
  expect(lab.runs("bad")).toHaveLength(1);
  const orphans = rawSqliteForTests(lab.store)
    .query(
      "SELECT count(*) AS n FROM flow_runs r WHERE NOT EXISTS (SELECT 1 FROM flow_run_states s WHERE s.run_seq = r.seq)",
    )
    .get() as { n: number };
  expect(orphans.n).toBe(0);
  const events = rawSqliteForTests(lab.store)
    .query("SELECT count(*) AS n FROM events WHERE name = 'flow-run.scheduled'")
    .get() as { n: number };
  expect(events.n).toBe(21);
});

test("a start stopped halfway through planning and started again plans every slot once", async () => {
  const names = Array.from({ length: 6 }, (_, i) => `d${i}`);
  for (const name of names) lab.deploy({ name, schedules: [schedule({ interval_ms: HOUR })] });
  // One deployment a batch; the server stops after four batches (as it does: the scheduler,
  // then its pacer).
  let batches = 0;
  let first: Scheduler | null = null;
  const pacer: Pacer = {
    over: () => true,
    rest: () => {
      if (++batches < 4) return settle();
      first?.stop();
      return Promise.reject(new Error("the server stops"));
    },
  };
  first = lab.start({ pacer });
  await first.idle();
  const before = names.map((n) => planned(n).length);
  expect(before.filter((n) => n > 0).length).toBeGreaterThan(0);
  expect(before.some((n) => n < 10)).toBe(true);

  // The next start (another connection, as another process) plans what is missing.
  const again = lab.open();
  await lab.start({}, again).idle();
  expect(names.map((n) => planned(n).length)).toEqual([10, 10, 10, 10, 10, 10]);
  expect(duplicateSlots(lab.store)).toEqual([]);
  const events = rawSqliteForTests(lab.store)
    .query("SELECT count(*) AS n FROM events WHERE name = 'flow-run.scheduled'")
    .get() as { n: number };
  expect(events.n).toBe(60);
});
