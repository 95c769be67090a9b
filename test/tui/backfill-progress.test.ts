import { expect, test } from "vitest";
import { backfillProgress } from "../../src/tui/monitor-events.ts";

test("the monitor's event line shows a backfill's start, each tenth of its slots and its end", () => {
  const id = "1a2b3c4d-0000-4000-8000-000000000000";
  const at = (created: number, status = "running", skipped = 0) =>
    backfillProgress(id, { deployment: "etl", status, total: 30, created, skipped });
  expect(at(0)).toBe("backfill 1a2b3c4d of etl: started, 0/30 slots");
  expect(at(1)).toBeNull();
  expect(at(3)).toBe("backfill 1a2b3c4d of etl: running, 3/30 slots");
  expect(at(4, "running", 2)).toBe("backfill 1a2b3c4d of etl: running, 6/30 slots");
  expect(at(7, "paused")).toBe("backfill 1a2b3c4d of etl: paused, 7/30 slots");
  expect(at(30, "completed")).toBe("backfill 1a2b3c4d of etl: completed, 30/30 slots");
});
