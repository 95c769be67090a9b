import { afterEach, beforeEach, expect, test } from "vitest";
import { nextRunAt, nextRunTimes, transitionRun } from "../../src/store/index.ts";
import { createLab, type Lab, schedule } from "../scheduler/helpers.ts";

const T0 = Date.parse("2026-05-05T10:00:00.000Z");
let lab: Lab;
beforeEach(() => {
  lab = createLab(T0);
});
afterEach(() => lab.cleanup());

test("one deployment's next run is the earliest of its waiting runs, as the listing has it", () => {
  const hourly = lab.deploy({ name: "hourly", schedules: [schedule({ interval_ms: 3_600_000 })] });
  const daily = lab.deploy({ name: "daily", schedules: [schedule({ cron: "30 2 * * *" })] });
  const none = lab.deploy({ name: "by-hand" });
  lab.start();
  const all = nextRunTimes(lab.store);
  expect(nextRunAt(lab.store, hourly.id)).toBe(Date.parse("2026-05-05T11:00:00.000Z"));
  expect(nextRunAt(lab.store, daily.id)).toBe(Date.parse("2026-05-06T02:30:00.000Z"));
  expect(nextRunAt(lab.store, none.id)).toBeNull();
  for (const d of [hourly, daily]) expect(nextRunAt(lab.store, d.id)).toBe(all.get(d.id));
  // A run that left SCHEDULED is no longer next: the one after it is.
  const first = lab.runs("hourly")[0]!;
  transitionRun(lab.store, first.id, { type: "CANCELLED" });
  expect(nextRunAt(lab.store, hourly.id)).toBe(Date.parse("2026-05-05T12:00:00.000Z"));
});
