import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { type ProposedState, specWithDefaults } from "../../src/core/index.ts";
import { getRun, runStates } from "../../src/store/index.ts";
import { executeAttempt, isAlive } from "../../src/worker/index.ts";
import { createLab, type Lab } from "./helpers.ts";

let lab: Lab;
beforeEach(() => {
  lab = createLab();
});
afterEach(async () => {
  await lab.cleanup();
});

const history = (seq: number) => runStates(lab.store, seq).map((s) => `${s.type}/${s.name}`);

/** A command that runs until the test creates `file` (no timing involved). */
const until = (file: string) => ["sh", "-c", `while [ ! -e '${file}' ]; do sleep 0.02; done`];

test("an unexpected error in the embedded worker ends the run CRASHED, not PENDING forever", async () => {
  const d = lab.deploy({ name: "doomed", command: ["true"] });
  // What the worker hands every run: reading it fails, as a bug of orch's own would.
  const env = new Proxy({} as Record<string, string>, {
    ownKeys() {
      throw new Error("env unreadable");
    },
  });
  await lab.startWorker({ env });
  const run = lab.trigger(d);
  const crashed = await lab.waitFor(run.id, ["CRASHED", "COMPLETED", "FAILED"]);
  expect(crashed.state_type).toBe("CRASHED");
  expect(crashed.state_message).toBe("the worker failed: env unreadable");
});

test("a process whose start cannot be reported is stopped, and the attempt ends CRASHED", async () => {
  const marker = `attempt-${crypto.randomUUID()}`;
  let pid = 0;
  const finals: ProposedState[] = [];
  const attempt = executeAttempt({
    prepare: () => ({
      runId: "r1",
      deployment: "d",
      spec: specWithDefaults({ name: "d", command: ["sh", "-c", `sleep 100; : ${marker}`] }),
      parameters: {},
      bundleDir: lab.dir,
      inPlace: true,
      attempt: 1,
    }),
    runner: { graceMs: 200 },
    report: {
      running: (_state, outcome) => {
        pid = outcome.pid!;
        throw new Error("the store is gone");
      },
      logs: () => {},
      final: (state) => void finals.push(state),
    },
  });
  const state = await attempt.done;
  expect(state).toEqual({ type: "CRASHED", message: "the worker failed: the store is gone" });
  expect(finals).toEqual([state]);
  expect(pid).toBeGreaterThan(0);
  expect(isAlive(pid)).toBe(false);
});

test("stop with a grace period: a run that ends within it keeps its true state", async () => {
  const gate = join(lab.dir, "gate");
  const d = lab.deploy({ name: "gated", command: until(gate) });
  const worker = await lab.startWorker();
  const run = lab.trigger(d);
  await lab.waitFor(run.id, "RUNNING");
  const stopping = worker.stop({ graceMs: 60_000 });
  const later = lab.trigger(d);
  writeFileSync(gate, "");
  await stopping;
  expect(getRun(lab.store, run.id)!.state_type).toBe("COMPLETED");
  // Stopping takes no new runs.
  expect(getRun(lab.store, later.id)!.state_type).toBe("SCHEDULED");
});

test("stop: what still runs after the grace period ends CANCELLED, orch was stopped", async () => {
  const d = lab.deploy({ name: "forever", command: until(join(lab.dir, "never")) });
  const worker = await lab.startWorker();
  const run = lab.trigger(d);
  await lab.waitFor(run.id, "RUNNING");
  await worker.stop({ graceMs: 100 });
  const stopped = getRun(lab.store, run.id)!;
  expect(stopped.state_type).toBe("CANCELLED");
  expect(stopped.state_message).toMatch(/^orch was stopped; its process tree was stopped/);
  expect(isAlive(stopped.pid!)).toBe(false);
  expect(history(stopped.seq).at(-1)).toBe("CANCELLED/Cancelled");
});

test("drain waits for running runs to end and claims no new ones", async () => {
  const gate = join(lab.dir, "gate");
  const d = lab.deploy({ name: "gated", command: until(gate) });
  const worker = await lab.startWorker();
  const run = lab.trigger(d);
  await lab.waitFor(run.id, "RUNNING");
  const draining = worker.drain();
  const later = lab.trigger(d);
  writeFileSync(gate, "");
  await draining;
  expect(getRun(lab.store, run.id)!.state_type).toBe("COMPLETED");
  // Had the draining worker claimed it, it would have run (the gate is open) before drain ended.
  expect(getRun(lab.store, later.id)!.state_type).toBe("SCHEDULED");
});

test("an attempt that outlived its timeout timed out, even when its exit is heard before its timer", async () => {
  // In a process of its own: its event loop must be held busy, which a test runner's is not.
  const child = Bun.spawn(
    [process.execPath, join(import.meta.dirname, "fixtures/busy-timeout.ts")],
    {
      cwd: lab.dir,
      stdout: "pipe",
      stderr: "inherit",
    },
  );
  const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  expect(code).toBe(0);
  expect(JSON.parse(out)).toEqual({ exitCode: 0, timedOut: true });
});

test("an attempt that ended within its timeout did not time out, even when this thread heard of it late", async () => {
  // The spawning thread stamps the process's start and exit; a busy server thread hears of the
  // exit after the timeout was due, and must not call it TimedOut (nor lose a pause that way).
  const child = Bun.spawn(
    [process.execPath, join(import.meta.dirname, "fixtures/busy-in-time.ts")],
    { cwd: lab.dir, stdout: "pipe", stderr: "inherit" },
  );
  const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  expect(code).toBe(0);
  expect(JSON.parse(out)).toEqual({ exitCode: 0, timedOut: false });
});
