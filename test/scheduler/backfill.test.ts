import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  backfillToJson,
  createBackfill,
  feedBackfill,
  planBackfill,
  startBackfills,
} from "../../src/scheduler/index.ts";
import {
  claimRuns,
  getBackfill,
  openStore,
  type RunRow,
  type Store,
  setBackfillStatus,
  transitionRun,
} from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { createLab, type Lab, schedule, settle } from "./helpers.ts";

const T0 = Date.parse("2026-05-05T10:00:00.000Z");
let lab: Lab;
beforeEach(() => {
  lab = createLab(T0);
});
afterEach(() => lab.cleanup());

const iso = (t: number) => new Date(t).toISOString();
const backfillRuns = (store: Store, id: string) =>
  rawSqliteForTests(store)
    .query("SELECT * FROM flow_runs WHERE backfill_id = ? ORDER BY seq")
    .all(id) as RunRow[];

/** A worker's pass: claim what is due, finish it. */
function work(store: Store, limit = 1000): RunRow[] {
  const { claimed } = claimRuns(store, { pool: "default", workerId: "w", limit });
  for (const run of claimed) {
    transitionRun(store, run.id, { type: "RUNNING" });
    transitionRun(store, run.id, { type: "COMPLETED" });
  }
  return claimed;
}

/** Berlin's daily 02:30 from 2026-03-15 to 2026-04-13: 30 slots, across the spring-forward. */
const BERLIN = {
  deployment: "etl",
  from: "2026-03-15T00:00",
  to: "2026-04-13T23:59",
};
function deployBerlin(): void {
  lab.deploy({
    name: "etl",
    parameters: { limit: 5 },
    schedules: [schedule({ cron: "30 2 * * *", timezone: "Europe/Berlin", catchup: "none" })],
  });
}

/**
 * The 30 slots as the zone's clock shows them. 02:30 does not exist on 2026-03-29 (clocks jump
 * from 02:00 to 03:00): the scheduler's rule runs it once, just after the gap, at 03:00.
 */
function berlinSlots(): string[] {
  return Array.from({ length: 30 }, (_, i) => {
    const day = Temporal.PlainDate.from("2026-03-15").add({ days: i });
    const time = day.toString() === "2026-03-29" ? "03:00" : "02:30";
    return day
      .toPlainDateTime(time)
      .toZonedDateTime("Europe/Berlin")
      .toInstant()
      .toString({ smallestUnit: "millisecond" });
  });
}

/** The problems an OrchError lists, as text. */
function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    const e = error as { message: string; problems: { where?: string; message: string }[] };
    return [e.message, ...e.problems.map((p) => `${p.where}: ${p.message}`)].join("\n");
  }
  throw new Error("it did not throw");
}

describe("slots", () => {
  test("a dry run lists the schedule's own slots in its zone, across a DST change", () => {
    deployBerlin();
    const plan = planBackfill(lab.store, BERLIN);
    expect(plan.total).toBe(30);
    expect(plan.slots.map((s) => s.at)).toEqual(berlinSlots());
    // Before the change 02:30 Berlin is 01:30Z; after it, 00:30Z; the day itself, 01:00Z (03:00).
    expect(plan.slots[0]!.at).toBe("2026-03-15T01:30:00.000Z");
    expect(plan.slots[14]!.at).toBe("2026-03-29T01:00:00.000Z");
    expect(plan.slots[15]!.at).toBe("2026-03-30T00:30:00.000Z");
    expect(backfillRuns(lab.store, "x")).toHaveLength(0);
  });

  test("a date alone as --to takes in that whole day, in the schedule's zone", () => {
    deployBerlin();
    const plan = planBackfill(lab.store, { ...BERLIN, to: "2026-04-13" });
    expect(plan.slots.map((s) => s.at)).toEqual(berlinSlots());
    // The day after it is not in: its 02:30 is after the 13th's last instant in Berlin.
    const ten = planBackfill(lab.store, { ...BERLIN, from: "2026-04-01", to: "2026-04-10" });
    expect(ten.total).toBe(10);
    expect(ten.slots.at(-1)!.at).toBe("2026-04-10T00:30:00.000Z");
  });

  test("an interval with an anchor counts from its anchor, not from --from", () => {
    lab.deploy({
      name: "every-6h",
      schedules: [schedule({ interval_ms: 6 * 3600_000, anchor: "2026-01-01T01:00:00.000Z" })],
    });
    const plan = planBackfill(lab.store, {
      deployment: "every-6h",
      from: "2026-02-01T00:00:00Z",
      to: "2026-02-01T23:59:59Z",
    });
    expect(plan.slots.map((s) => s.at)).toEqual([
      "2026-02-01T01:00:00.000Z",
      "2026-02-01T07:00:00.000Z",
      "2026-02-01T13:00:00.000Z",
      "2026-02-01T19:00:00.000Z",
    ]);
  });

  test("bad requests say what is wrong and where", () => {
    deployBerlin();
    lab.deploy({
      name: "two",
      schedules: [schedule({ cron: "0 * * * *" }), schedule({ cron: "0 0 * * *" })],
    });
    expect(problemsOf(() => createBackfill(lab.store, { ...BERLIN, from: "yesterday" }))).toMatch(
      /^from: "yesterday" is not an ISO time/m,
    );
    expect(
      problemsOf(() =>
        createBackfill(lab.store, { ...BERLIN, from: "2026-05-01", to: "2026-04-01" }),
      ),
    ).toMatch(/^to: 2026-04-01 is before the range's start, 2026-05-01$/m);
    expect(problemsOf(() => createBackfill(lab.store, { ...BERLIN, deployment: "two" }))).toMatch(
      /^schedule: deployment two has 2 schedules; pick one with --schedule N \(1: /m,
    );
    expect(problemsOf(() => createBackfill(lab.store, { ...BERLIN, deployment: "nope" }))).toMatch(
      /no deployment named "nope"/,
    );
    expect(() =>
      createBackfill(lab.store, { ...BERLIN, from: "2026-03-15T03:00", to: "2026-03-16T01:00" }),
    ).toThrow(/no slot of/);
  });

  test("a range that reaches slots still to come is refused; one ending a little after now is not", () => {
    deployBerlin();
    // Now is 2026-05-05T10:00Z; that day's 02:30 Berlin (00:30Z) is past, the next day's is not.
    const today = planBackfill(lab.store, { ...BERLIN, from: "2026-05-01", to: "2026-05-05" });
    expect(today.slots.at(-1)!.at).toBe("2026-05-05T00:30:00.000Z");
    expect(
      planBackfill(lab.store, { ...BERLIN, from: "2026-05-01", to: "2026-05-05T10:00:30Z" }).total,
    ).toBe(5);
    expect(
      problemsOf(() =>
        createBackfill(lab.store, { ...BERLIN, from: "2026-05-01", to: "2026-05-07" }),
      ),
    ).toMatch(
      /^to: 2026-05-07 takes in slots still to come \(the first at 2026-05-06T00:30:00.000Z\): a backfill runs past slots only \(at or before now, 2026-05-05T10:00:00.000Z\); the schedule runs later ones when they come; end the range at now or earlier$/m,
    );
    expect(
      problemsOf(() =>
        planBackfill(lab.store, { ...BERLIN, from: "2026-06-01", to: "2026-06-02" }),
      ),
    ).toMatch(/^from: 2026-06-01 is in the future: a backfill runs past slots only/m);
    expect(backfillRuns(lab.store, "x")).toHaveLength(0);
  });
});

describe("feeding", () => {
  test("30 daily slots: one run each, at most K going, each run for its own slot, then completed", () => {
    deployBerlin();
    const backfill = createBackfill(lab.store, { ...BERLIN, max_concurrency: 3 });
    let rounds = 0;
    while (getBackfill(lab.store, backfill.id)!.status === "running") {
      feedBackfill(lab.store, backfill.id);
      const active = backfillRuns(lab.store, backfill.id).filter(
        (r) => r.state_type !== "COMPLETED",
      );
      expect(active.length).toBeLessThanOrEqual(3);
      work(lab.store);
      if (++rounds > 40) throw new Error("the backfill did not finish");
    }
    const runs = backfillRuns(lab.store, backfill.id);
    expect(runs.map((r) => iso(r.slot_at!))).toEqual(berlinSlots());
    expect(runs.every((r) => r.state_type === "COMPLETED" && r.created_by === "backfill")).toBe(
      true,
    );
    expect(JSON.parse(runs[0]!.parameters)).toEqual({ limit: 5 });
    const json = backfillToJson(lab.store, getBackfill(lab.store, backfill.id)!);
    expect(json).toMatchObject({ status: "completed", total: 30, created: 30, skipped: 0 });
    expect(json.runs).toEqual({ active: 0, completed: 30, failed: 0, crashed: 0, cancelled: 0 });
  });

  test("a backfill resumes where it was in another process: no slot twice, none skipped", () => {
    deployBerlin();
    const backfill = createBackfill(lab.store, { ...BERLIN, max_concurrency: 4 });
    feedBackfill(lab.store, backfill.id);
    work(lab.store);
    feedBackfill(lab.store, backfill.id);
    // The first process is gone (its connection dropped mid-way); a second one goes on.
    lab.store.close();
    const second = openStore(`${lab.store.path}`, { clock: lab.time.clock });
    try {
      for (let i = 0; i < 40 && getBackfill(second, backfill.id)!.status === "running"; i++) {
        feedBackfill(second, backfill.id);
        feedBackfill(second, backfill.id); // feeding twice changes nothing
        work(second);
      }
      const slots = backfillRuns(second, backfill.id).map((r) => iso(r.slot_at!));
      expect(slots).toEqual(berlinSlots());
    } finally {
      second.close();
    }
  });

  test("--only-missing skips slots that have a COMPLETED run, whoever made it", () => {
    deployBerlin();
    const first = createBackfill(lab.store, { ...BERLIN, to: "2026-03-20T23:00" });
    // A worker runs its first three slots; the third fails: it is missing afterwards.
    for (let i = 0; i < 3; i++) {
      feedBackfill(lab.store, first.id);
      const [run] = claimRuns(lab.store, { pool: "default", workerId: "w", limit: 1 }).claimed;
      transitionRun(lab.store, run!.id, { type: "RUNNING" });
      transitionRun(lab.store, run!.id, { type: i === 2 ? "FAILED" : "COMPLETED" });
    }
    setBackfillStatus(lab.store, first.id, "cancelled");
    const plan = planBackfill(lab.store, { ...BERLIN, to: "2026-03-20T23:00", only_missing: true });
    expect(plan.slots.map((s) => s.completed)).toEqual([true, true, false, false, false, false]);
    expect(plan.total).toBe(6);

    const second = createBackfill(lab.store, {
      ...BERLIN,
      to: "2026-03-20T23:00",
      only_missing: true,
      max_concurrency: 10,
    });
    feedBackfill(lab.store, second.id);
    expect(backfillRuns(lab.store, second.id).map((r) => iso(r.slot_at!))).toEqual(
      berlinSlots().slice(2, 6),
    );
    expect(getBackfill(lab.store, second.id)).toMatchObject({ created: 4, skipped: 2 });
  });

  test("--reverse feeds the newest slot first", () => {
    deployBerlin();
    const b = createBackfill(lab.store, { ...BERLIN, reverse: true, max_concurrency: 2 });
    feedBackfill(lab.store, b.id);
    expect(backfillRuns(lab.store, b.id).map((r) => iso(r.slot_at!))).toEqual(
      berlinSlots().slice(28).reverse(),
    );
  });

  test("pause stops feeding, resume goes on from the next slot, cancel cancels what waits", async () => {
    deployBerlin();
    const runner = startBackfills({ store: lab.store });
    try {
      const b = createBackfill(lab.store, { ...BERLIN, max_concurrency: 2 });
      await settle();
      expect(backfillRuns(lab.store, b.id)).toHaveLength(2);
      setBackfillStatus(lab.store, b.id, "paused", "paused by a user");
      work(lab.store);
      await settle();
      expect(backfillRuns(lab.store, b.id)).toHaveLength(2);
      setBackfillStatus(lab.store, b.id, "running");
      await settle();
      const runs = backfillRuns(lab.store, b.id);
      expect(runs.map((r) => iso(r.slot_at!))).toEqual(berlinSlots().slice(0, 4));
      setBackfillStatus(lab.store, b.id, "cancelled");
      for (const r of runs.slice(2)) transitionRun(lab.store, r.id, { type: "CANCELLED" });
      await settle();
      expect(backfillRuns(lab.store, b.id)).toHaveLength(4);
      expect(() => setBackfillStatus(lab.store, b.id, "running")).toThrow(/has ended/);
    } finally {
      runner.stop();
    }
  });
});

describe("priority", () => {
  test("a backfill's runs yield to scheduled runs in the claim, whatever their times", () => {
    deployBerlin();
    lab.deploy({ name: "tick", schedules: [schedule({ interval_ms: 60_000 })] });
    const b = createBackfill(lab.store, { ...BERLIN, max_concurrency: 5 });
    feedBackfill(lab.store, b.id);
    lab.start();
    lab.time.sleep(60_000); // the schedule's next run is due now, fed after the backfill's
    const { claimed } = claimRuns(lab.store, { pool: "default", workerId: "w", limit: 1 });
    expect(claimed.map((r) => r.deployment)).toEqual(["tick"]);
    const next = claimRuns(lab.store, { pool: "default", workerId: "w", limit: 2 }).claimed;
    expect(next.map((r) => r.backfill_id)).toEqual([b.id, b.id]);
  });
});

test("a date alone is midnight in the schedule's zone; a time with an offset is that instant", () => {
  lab.deploy({
    name: "half-past-midnight",
    schedules: [schedule({ cron: "30 0 * * *", timezone: "Europe/Berlin" })],
  });
  // From 2026-03-15 00:00 Berlin (23:00Z the day before): its 00:30 slot is 23:30Z on the 14th.
  const day = planBackfill(lab.store, {
    deployment: "half-past-midnight",
    from: "2026-03-15",
    to: "2026-03-15T12:00",
  });
  expect(day.slots.map((s) => s.at)).toEqual(["2026-03-14T23:30:00.000Z"]);
  const utc = planBackfill(lab.store, {
    deployment: "half-past-midnight",
    from: "2026-03-14T23:30:00Z",
    to: "2026-03-15 23:30+00:00",
  });
  expect(utc.slots.map((s) => s.at)).toEqual([
    "2026-03-14T23:30:00.000Z",
    "2026-03-15T23:30:00.000Z",
  ]);
});
