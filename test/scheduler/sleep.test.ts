import { afterEach, beforeEach, expect, test } from "vitest";
import {
  claimRuns,
  createRun,
  getRun,
  heartbeatWorker,
  registerWorker,
  transitionRun,
} from "../../src/store/index.ts";
import { createReaper } from "../../src/worker/index.ts";
import { createLab, type Lab, schedule } from "./helpers.ts";

// 01:00 UTC: the daily 03:00 run is two hours away when the lid closes.
const T0 = Date.parse("2026-05-05T01:00:00.000Z");
const HOUR = 3_600_000;
let lab: Lab;
beforeEach(() => {
  lab = createLab(T0);
});
afterEach(() => lab.cleanup());

test("a sleep is caught up at once on waking, with the reason, and a run frozen by it is not CRASHED", async () => {
  lab.deploy({ name: "nightly", schedules: [schedule({ cron: "0 3 * * *", catchup: "latest" })] });
  lab.deploy({ name: "long" });
  lab.start({ sleepCheckMs: 2000 });
  // A run going when the machine sleeps, on a worker that heartbeats every 10 s.
  registerWorker(lab.store, {
    id: "w",
    name: "w",
    pool: "default",
    host: "h",
    pid: 1,
    concurrency: 1,
  });
  const running = createRun(lab.store, { deployment: "long" });
  claimRuns(lab.store, { pool: "default", workerId: "w", limit: 1 });
  transitionRun(lab.store, running.id, { type: "RUNNING" });
  const reap = createReaper(lab.store, { staleAfterMs: 30_000, periodMs: 10_000 });
  await lab.time.advance(10_000);
  heartbeatWorker(lab.store, "w");
  expect(reap()).toEqual([]);

  // Asleep from 01:00 to 09:00: the 03:00 run was missed, and the worker said nothing for 8 h.
  lab.time.sleep(8 * HOUR);
  // Awake for 2 s: the scheduler's own timer (for 03:00, counted in awake time) is hours away,
  // yet the missed run is due now, saying why.
  await lab.time.advance(2000);
  const missed = lab
    .runs("nightly")
    .find((r) => r.scheduled_at === Date.parse("2026-05-05T03:00:00.000Z"))!;
  expect(missed).toMatchObject({ state_type: "SCHEDULED", state_name: "Late" });
  expect(missed.state_message).toBe(
    "catching up: the run of 2026-05-05T03:00:00.000Z, missed while the machine slept (or its clock was set forward) (catchup: latest)",
  );
  expect(
    claimRuns(lab.store, { pool: "default", workerId: "w", limit: 5 }).claimed.map((r) => r.id),
  ).toEqual([missed.id]);

  // The heartbeat check on waking does not count the sleep as silence.
  expect(reap()).toEqual([]);
  expect(getRun(lab.store, running.id)!.state_type).toBe("RUNNING");
});
