import { afterEach, beforeEach, expect, test } from "vitest";
import { logRunStates } from "../../src/server/log-run-states.ts";
import { createDeploymentRun, type Store, transitionRun } from "../../src/store/index.ts";
import { createMonitorStore } from "../../src/tui/monitor-store.ts";
import { createLab, type Lab } from "../worker/helpers.ts";

// orch up's log of runs: a line as a run starts, gets late, waits to retry and ends; none for
// a run made (planning makes them by the thousand).

let lab: Lab;
let store: Store;
beforeEach(() => {
  lab = createLab();
  store = lab.store;
  lab.deploy({ name: "etl", command: ["true"], retries: 1 });
});
afterEach(async () => {
  await lab.cleanup();
});

test("in the monitor, a turn's run lines are each an entry of the event line, not one joined", async () => {
  const monitor = createMonitorStore({ mode: "attach" });
  const stop = logRunStates(store, monitor.logger);
  const runs = [createDeploymentRun(store, "etl"), createDeploymentRun(store, "etl")];
  for (const run of runs) transitionRun(store, run.id, { type: "PENDING" });
  for (const run of runs) transitionRun(store, run.id, { type: "RUNNING" });
  await stop();
  expect(monitor.getState().events.map((e) => e.text)).toEqual(
    runs.map((r) => `run ${r.id.slice(0, 8)} (etl) Running`),
  );
});

test("a run made says nothing; Late, Running, AwaitingRetry and the end each say a line", async () => {
  const lines: string[] = [];
  const stop = logRunStates(store, {
    // The info lines of one turn come as one message, a line each.
    info: (m: string) => lines.push(...m.split("\n").map((line) => `info ${line}`)),
    warn: (m: string) => lines.push(`warn ${m}`),
    error: (m: string) => lines.push(`error ${m}`),
  });
  const run = createDeploymentRun(store, "etl");
  const short = run.id.slice(0, 8);
  transitionRun(store, run.id, { type: "SCHEDULED", name: "Late" });
  transitionRun(store, run.id, { type: "PENDING" });
  transitionRun(store, run.id, { type: "RUNNING" });
  transitionRun(store, run.id, { type: "FAILED", message: "exit code 3" });
  transitionRun(store, run.id, { type: "PENDING" });
  transitionRun(store, run.id, { type: "RUNNING" });
  transitionRun(store, run.id, { type: "COMPLETED" });
  await stop();
  expect(lines).toEqual([
    `info run ${short} (etl) Late`,
    `info run ${short} (etl) Running`,
    `info run ${short} (etl) AwaitingRetry: exit code 3; retrying (0 retries left after this one)`,
    `info run ${short} (etl) Retrying`,
    `info run ${short} (etl) Completed`,
  ]);
});
