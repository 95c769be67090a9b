import { afterEach, beforeEach, expect, test } from "vitest";
import type { Pacer } from "../../src/core/index.ts";
import { createLab, type Lab, schedule, settle } from "./helpers.ts";

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
  expect(rests).toBe(9);
});

test("without a pacer, planning is one pass, done when the scheduler starts", () => {
  lab.deploy({ name: "a", schedules: [schedule({ interval_ms: HOUR })] });
  lab.deploy({ name: "b", schedules: [schedule({ interval_ms: HOUR })] });
  lab.start();
  expect(planned("a")).toHaveLength(10);
  expect(planned("b")).toHaveLength(10);
});
