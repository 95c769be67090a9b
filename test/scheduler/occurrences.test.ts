import { describe, expect, test } from "vitest";
import {
  describeSchedule,
  occurrences,
  occurrencesBefore,
  rruleProblem,
  scheduleId,
  upcomingRuns,
} from "../../src/scheduler/index.ts";
import { makeSpec, schedule } from "./helpers.ts";

const at = (iso: string) => Date.parse(iso);
const isos = (times: number[]) => times.map((t) => new Date(t).toISOString());
const berlin = (s: Parameters<typeof schedule>[0]) => schedule({ timezone: "Europe/Berlin", ...s });

describe("cron in a time zone across DST", () => {
  const daily = berlin({ cron: "30 2 * * *" });

  test("spring forward: 02:30 does not exist on 29 March; the job runs once, just after the gap", () => {
    const times = occurrences(daily, at("2026-03-28T00:00Z"), at("2026-03-31T00:00Z"));
    expect(isos(times)).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:00:00.000Z", // 03:00 CEST, the first minute after the gap
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
    ]);
  });

  test("fall back: 02:30 happens twice on 25 October; the job runs once, the first time", () => {
    const times = occurrences(daily, at("2026-10-24T00:00Z"), at("2026-10-27T00:00Z"));
    expect(isos(times)).toEqual([
      "2026-10-24T00:30:00.000Z",
      "2026-10-25T00:30:00.000Z", // 02:30 CEST; 02:30 CET (01:30Z) does not run again
      "2026-10-26T01:30:00.000Z",
    ]);
  });

  test("hourly cron follows elapsed hours through the repeated hour", () => {
    const times = occurrences(
      berlin({ cron: "0 * * * *" }),
      at("2026-10-24T23:00Z"),
      at("2026-10-25T03:00Z"),
    );
    expect(isos(times)).toEqual([
      "2026-10-24T23:00:00.000Z",
      "2026-10-25T00:00:00.000Z",
      "2026-10-25T01:00:00.000Z",
      "2026-10-25T02:00:00.000Z",
    ]);
  });

  test("six fields count seconds; the range is [from, to) and the limit holds", () => {
    const s = schedule({ cron: "*/20 * * * * *" });
    expect(isos(occurrences(s, at("2026-01-01T00:00:00Z"), at("2026-01-01T00:01:00Z")))).toEqual([
      "2026-01-01T00:00:00.000Z",
      "2026-01-01T00:00:20.000Z",
      "2026-01-01T00:00:40.000Z",
    ]);
    expect(occurrences(s, at("2026-01-01T00:00:00Z"), Number.POSITIVE_INFINITY, 2)).toHaveLength(2);
  });

  test("occurrencesBefore walks back, newest first, within (after, before]", () => {
    const times = occurrencesBefore(daily, at("2026-03-30T00:30Z"), at("2026-03-28T01:30Z"), 5);
    expect(isos(times)).toEqual(["2026-03-30T00:30:00.000Z", "2026-03-29T01:00:00.000Z"]);
  });
});

describe("intervals", () => {
  test("under a day, they follow elapsed time from the anchor, through DST", () => {
    const s = berlin({ interval_ms: 3_600_000, anchor: "2026-10-24T22:30:00.000Z" });
    const times = occurrences(s, at("2026-10-24T23:00Z"), at("2026-10-25T03:00Z"));
    expect(isos(times)).toEqual([
      "2026-10-24T23:30:00.000Z",
      "2026-10-25T00:30:00.000Z",
      "2026-10-25T01:30:00.000Z",
      "2026-10-25T02:30:00.000Z",
    ]);
  });

  test("without an anchor they count from the epoch, so every orch agrees on the slots", () => {
    const s = schedule({ interval_ms: 15 * 60_000 });
    expect(isos(occurrences(s, at("2026-05-05T10:07:00Z"), Number.POSITIVE_INFINITY, 2))).toEqual([
      "2026-05-05T10:15:00.000Z",
      "2026-05-05T10:30:00.000Z",
    ]);
    const anchored = schedule({ interval_ms: 15 * 60_000, anchor: "2026-01-01T00:05:00.000Z" });
    expect(isos(occurrences(anchored, at("2026-05-05T10:07:00Z"), Infinity, 1))).toEqual([
      "2026-05-05T10:20:00.000Z",
    ]);
    expect(isos(occurrencesBefore(anchored, at("2026-05-05T10:07:00Z"), -Infinity, 2))).toEqual([
      "2026-05-05T10:05:00.000Z",
      "2026-05-05T09:50:00.000Z",
    ]);
  });

  test("whole days keep the anchor's wall-clock time in the zone across DST", () => {
    // 02:30 Berlin time on 27 March; a day later is still 02:30 on the clock, whatever the offset.
    const s = berlin({ interval_ms: 86_400_000, anchor: "2026-03-27T01:30:00.000Z" });
    expect(isos(occurrences(s, at("2026-03-27T00:00Z"), Infinity, 4))).toEqual([
      "2026-03-27T01:30:00.000Z",
      "2026-03-28T01:30:00.000Z",
      "2026-03-29T01:30:00.000Z", // 02:30 does not exist: 03:30 CEST, once
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
    ]);
    expect(
      isos(occurrences(berlin({ interval_ms: 86_400_000 }), at("2026-03-28T12:00Z"), Infinity, 2)),
    ).toEqual([
      "2026-03-28T23:00:00.000Z", // midnight in Berlin by default
      "2026-03-29T22:00:00.000Z",
    ]);
  });
});

describe("RRULE (RFC 5545)", () => {
  test("weekly on Mondays at 09:00 in New York, across the US DST change", () => {
    const s = schedule({
      timezone: "America/New_York",
      rrule: "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
    });
    expect(isos(occurrences(s, at("2026-03-01T00:00Z"), Infinity, 3))).toEqual([
      "2026-03-02T14:00:00.000Z", // EST
      "2026-03-09T13:00:00.000Z", // EDT
      "2026-03-16T13:00:00.000Z",
    ]);
  });

  test("a daily 02:30 rule runs once on both DST days in Berlin", () => {
    const s = berlin({ rrule: "RRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=30;BYSECOND=0" });
    expect(isos(occurrences(s, at("2026-03-28T00:00Z"), at("2026-03-31T00:00Z")))).toEqual([
      "2026-03-28T01:30:00.000Z",
      "2026-03-29T01:30:00.000Z", // 03:30 CEST: the missing 02:30 moved forward by the gap
      "2026-03-30T00:30:00.000Z",
    ]);
    expect(isos(occurrences(s, at("2026-10-24T00:00Z"), at("2026-10-27T00:00Z")))).toEqual([
      "2026-10-24T00:30:00.000Z",
      "2026-10-25T00:30:00.000Z",
      "2026-10-26T01:30:00.000Z",
    ]);
  });

  test("DTSTART, COUNT, UNTIL, BYSETPOS and backwards", () => {
    const counted = schedule({
      rrule: "DTSTART:20260105T080000Z\nRRULE:FREQ=DAILY;INTERVAL=2;COUNT=3",
    });
    expect(isos(occurrences(counted, 0, Infinity, 10))).toEqual([
      "2026-01-05T08:00:00.000Z",
      "2026-01-07T08:00:00.000Z",
      "2026-01-09T08:00:00.000Z",
    ]);
    const lastFriday = berlin({
      rrule:
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;BYHOUR=17;BYMINUTE=0;UNTIL=20260601T000000Z",
    });
    expect(isos(occurrences(lastFriday, at("2026-04-01T00:00Z"), Infinity, 5))).toEqual([
      "2026-04-30T15:00:00.000Z",
      "2026-05-29T15:00:00.000Z",
    ]);
    expect(isos(occurrencesBefore(lastFriday, at("2026-06-01T00:00Z"), -Infinity, 1))).toEqual([
      "2026-05-29T15:00:00.000Z",
    ]);
  });

  test("bad rules are refused with what is wrong", () => {
    expect(rruleProblem("FREQ=DAILY;BYHOUR=9")).toBeNull();
    expect(rruleProblem("FREQ=DAILY;BYHOUR=25")).toBe("BYHOUR=25: 25 is not in 0..23");
    expect(rruleProblem("FREQ=DAILIE")).toMatch(/FREQ=DAILIE is not one of YEARLY/);
    expect(rruleProblem("BYDAY=MO")).toMatch(/needs FREQ=/);
    expect(rruleProblem("FREQ=DAILY;FOO=1")).toMatch(/FOO is not a part of a recurrence rule/);
    expect(rruleProblem("FREQ=DAILY;COUNT=2;UNTIL=20270101")).toMatch(/both COUNT and UNTIL/);
    expect(rruleProblem("FREQ=SECONDLY")).toMatch(/use an interval/);
    expect(rruleProblem("EXDATE:20260101T000000Z\nFREQ=DAILY")).toMatch(/is not supported/);
  });
});

test("upcomingRuns merges a deployment's active schedules in order, skipping inactive ones", () => {
  const spec = makeSpec({
    name: "d",
    schedules: [
      schedule({ cron: "0 9 * * 1" }),
      schedule({ interval_ms: 2 * 86_400_000 }),
      schedule({ interval_ms: 60_000, active: false }),
    ],
  });
  expect(isos(upcomingRuns(spec, 4, at("2026-03-27T00:00Z")))).toEqual([
    "2026-03-28T00:00:00.000Z",
    "2026-03-30T00:00:00.000Z",
    "2026-03-30T09:00:00.000Z",
    "2026-04-01T00:00:00.000Z",
  ]);
});

test("describeSchedule says it in words, with the zone", () => {
  expect(describeSchedule(berlin({ cron: "30 2 * * *" }))).toBe(
    "every day at 02:30, Europe/Berlin",
  );
  expect(describeSchedule(schedule({ cron: "0 9 * * 1" }))).toBe("every Monday at 09:00, UTC");
  expect(describeSchedule(schedule({ cron: "0 9 * * 1-5" }))).toBe(
    "every weekday (Monday to Friday) at 09:00, UTC",
  );
  expect(describeSchedule(schedule({ cron: "*/5 * * * *" }))).toBe("every 5 minutes, UTC");
  expect(describeSchedule(schedule({ cron: "@daily" }))).toBe("every day at 00:00, UTC");
  expect(describeSchedule(schedule({ interval_ms: 15 * 60_000 }))).toBe("every 15m");
  expect(describeSchedule(berlin({ interval_ms: 86_400_000 }))).toBe(
    "every 1d at 00:00, Europe/Berlin",
  );
  expect(describeSchedule(schedule({ rrule: "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0" }))).toBe(
    "every week on Monday at 09:00, UTC",
  );
  expect(
    describeSchedule(schedule({ rrule: "FREQ=DAILY;BYHOUR=0,14;BYMINUTE=30;BYSECOND=15" })),
  ).toBe("every day at 00:30:15 and 14:30:15, UTC");
  expect(describeSchedule(schedule({ cron: "*/5 9-17 * * MON-FRI" }))).toBe(
    "every 5 minutes from 09:00 to 17:55, Monday to Friday, UTC",
  );
  expect(describeSchedule(schedule({ cron: "*/15 * * * 1,3" }))).toBe(
    "every 15 minutes, Monday and Wednesday, UTC",
  );
  expect(describeSchedule(schedule({ cron: "30 8-18 * * *" }))).toBe(
    "every hour from 08:30 to 18:30, UTC",
  );
  expect(describeSchedule(schedule({ cron: "0 12 * * 1#2" }))).toBe(
    "on the second Monday of every month at 12:00, UTC",
  );
  expect(describeSchedule(schedule({ cron: "0 18 * * FRI#L" }))).toBe(
    "on the last Friday of every month at 18:00, UTC",
  );
  expect(describeSchedule(schedule({ cron: "0 12 L * *" }))).toBe(
    "on the last day of every month at 12:00, UTC",
  );
  expect(describeSchedule(schedule({ cron: "5 4 * 2 *", active: false }))).toBe(
    "cron 5 4 * 2 *, UTC (inactive)",
  );
});

test("a schedule's identity is stable and changes with its times, zone or parameters only", () => {
  const s = schedule({ cron: "0 2 * * *", parameters: { a: 1, b: 2 } });
  expect(scheduleId(s)).toBe(scheduleId({ ...s, parameters: { b: 2, a: 1 } }));
  expect(scheduleId(s)).toBe(scheduleId({ ...s, active: false, catchup: "all" }));
  expect(scheduleId(s)).not.toBe(scheduleId({ ...s, parameters: { a: 1, b: 3 } }));
  expect(scheduleId(s)).not.toBe(scheduleId({ ...s, timezone: "Europe/Berlin" }));
  expect(scheduleId(s)).toMatch(/^[0-9a-f]{16}$/);
});

test("a schedule's identity is what stores already hold in their slot keys (upgrades plan no slot twice)", () => {
  // Digests taken from stores written by earlier versions of orch.
  expect(scheduleId(schedule({ interval_ms: 3_600_000 }))).toBe("6e456bb663660173");
  expect(
    scheduleId(
      schedule({ cron: "30 2 * * *", timezone: "Europe/Berlin", parameters: { limit: 10 } }),
    ),
  ).toBe("9a6d0342d01a388a");
});
