import { afterEach, beforeEach, expect, test } from "vitest";
import { createMarker, type Marker } from "../processes.ts";
import { createLab, eventually, type Lab } from "./helpers.ts";

// A run whose shell starts a daemon in a session (and process group) of its own, then waits:
// cancel, timeout and the run's end must reach the daemon too, found by the run's mark.
const DAEMON = "setsid sleep 301 & echo started; sleep 302";

const UNTIL_PID = "while [ ! -s daemon.pid ]; do sleep 0.01; done; echo started";

let lab: Lab;
let marker: Marker;
beforeEach(() => {
  lab = createLab();
  marker = createMarker("daemon");
});
afterEach(async () => {
  marker.kill();
  await lab.cleanup();
});

/** The run's processes carry the marker: resolve once both sleeps (and the shell) are up. */
async function daemonStarted(runId: string) {
  await lab.waitFor(runId, "RUNNING");
  await eventually(() => marker.pids().length >= 3, 5000, "the daemon to start");
}

test("cancel stops a daemon that left the run's process group (setsid)", async () => {
  const d = lab.deploy({ name: "daemon", command: ["sh", "-c", DAEMON], env: marker.env });
  const worker = await lab.startWorker({ graceMs: 200 });
  const run = lab.trigger(d);
  await daemonStarted(run.id);
  worker.cancel(run.id);
  await lab.waitFor(run.id, "CANCELLED");
  expect(marker.pids()).toEqual([]);
});

test("a timeout stops a daemon that left the run's process group", async () => {
  const d = lab.deploy({
    name: "daemon",
    command: ["sh", "-c", DAEMON],
    env: marker.env,
    timeout_ms: 1000,
  });
  await lab.startWorker({ graceMs: 200 });
  const run = lab.trigger(d);
  await daemonStarted(run.id);
  expect((await lab.waitFor(run.id, "FAILED")).state_name).toBe("TimedOut");
  expect(marker.pids()).toEqual([]);
});

test("a run that ends leaves no daemon behind", async () => {
  const d = lab.deploy({
    name: "daemon",
    // The shell ends once the daemon is in its own session (it wrote its pid from there).
    command: ["sh", "-c", `setsid sh -c 'echo $$ > daemon.pid; exec sleep 303' & ${UNTIL_PID}`],
    env: marker.env,
  });
  await lab.startWorker();
  const run = lab.trigger(d);
  expect((await lab.waitFor(run.id, "COMPLETED")).exit_code).toBe(0);
  expect(marker.pids()).toEqual([]);
});
