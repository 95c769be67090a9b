import { expect, test } from "vitest";
import type { TaskRunJson } from "../../src/client/index.ts";
import { shownTasks, taskCounts } from "../../src/tui/RunTasks.tsx";
import { run, runDetailsFrame } from "./fixtures.ts";

const now = Date.parse("2026-03-14T12:00:00Z");
const task = (name: string, state: string, extra: Partial<TaskRunJson> = {}): TaskRunJson => ({
  name,
  state,
  state_name: state.charAt(0) + state.slice(1).toLowerCase(),
  attempts: 1,
  started_at: "2026-03-14T11:59:00Z",
  ended_at: state === "RUNNING" ? null : "2026-03-14T11:59:30Z",
  cached: false,
  ...extra,
});

function frame(tasks: TaskRunJson[], headRows = 14): string {
  return runDetailsFrame(
    { ...run(1), states: [], attempts: [], tasks, result: null, artifacts: [] },
    { headRows, now },
  );
}

test("run details list the run's task runs with their counts, state, tries and time", () => {
  const out = frame([
    task("extract", "COMPLETED"),
    task("transform", "FAILED", { attempts: 3 }),
    task("load", "RUNNING"),
  ]);
  expect(out).toMatch(/tasks 1 completed · 1 failed · 1 running/);
  expect(out).toMatch(/COMPLETED\s+extract\s+30s/);
  expect(out).toMatch(/FAILED\s+transform\s+×3 30s/);
  expect(out).toMatch(/RUNNING\s+load\s+1m00s/);
});

test("when the tasks do not fit, the running and failed ones are kept, then the latest", () => {
  const tasks = [
    task("a", "FAILED"),
    ...Array.from({ length: 20 }, (_, i) => task(`done-${i}`, "COMPLETED")),
    task("b", "RUNNING"),
  ];
  expect(shownTasks(tasks, 4).map((t) => t.name)).toEqual(["a", "done-18", "done-19", "b"]);
  expect(taskCounts(tasks)).toBe("1 failed · 20 completed · 1 running");
  const out = frame(tasks, 8);
  expect(out).toMatch(/tasks 1 failed · 20 completed · 1 running \(\+16\)/);
  expect(out).toMatch(/FAILED\s+a\b/);
  expect(out).toMatch(/RUNNING\s+b\b/);
});
