import { Database } from "bun:sqlite";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { getRun, getWorker, runStates } from "../../src/store/index.ts";
import { createLab, eventually, type Lab } from "./helpers.ts";

let lab: Lab;
beforeEach(() => {
  lab = createLab();
});
afterEach(async () => {
  await lab.cleanup();
});

test("a store error on a run's final state keeps the state and writes it once the store works again", async () => {
  const go = join(lab.dir, "go");
  const d = lab.deploy({
    name: "ends",
    command: ["sh", "-c", `while [ ! -f '${go}' ]; do sleep 0.05; done; echo finished`],
  });
  const warnings: string[] = [];
  const errors: string[] = [];
  const logger = {
    info() {},
    warn: (...args: unknown[]) => warnings.push(args.map(String).join(" ")),
    error: (...args: unknown[]) => errors.push(args.map(String).join(" ")),
  };
  await lab.startWorker({ logger });
  const run = lab.trigger(d);
  await lab.waitFor(run.id, "RUNNING");

  // A real SQLite error, from a second connection to the same file: every COMPLETED state fails.
  const other = new Database(join(lab.dir, "orch.db"));
  other.run(
    "CREATE TRIGGER fail_completed BEFORE INSERT ON flow_run_states WHEN NEW.type = 'COMPLETED' BEGIN SELECT RAISE(ABORT, 'simulated store failure'); END",
  );
  writeFileSync(go, "");
  await eventually(
    () => errors.some((e) => e.includes("simulated store failure")),
    10_000,
    "a logged store error",
  );
  expect(warnings.filter((w) => w.includes(run.id))).toEqual([]);

  other.run("DROP TRIGGER fail_completed");
  other.close();
  const done = await lab.waitFor(run.id, "COMPLETED");
  expect(done.exit_code).toBe(0);
  expect(lab.logs(run)).toEqual(["finished"]);
  expect(runStates(lab.store, run.seq).map((s) => s.type)).toEqual([
    "SCHEDULED",
    "PENDING",
    "RUNNING",
    "COMPLETED",
  ]);
  expect(existsSync(go)).toBe(true);
});

test("stopping retries the final writes until the store takes them, then goes offline", async () => {
  const go = join(lab.dir, "go");
  const d = lab.deploy({
    name: "ends-at-stop",
    command: ["sh", "-c", `while [ ! -f '${go}' ]; do sleep 0.05; done; echo finished`],
  });
  const errors: string[] = [];
  const logger = {
    info() {},
    warn() {},
    error: (...args: unknown[]) => errors.push(args.map(String).join(" ")),
  };
  const worker = await lab.startWorker({ logger });
  const run = lab.trigger(d);
  await lab.waitFor(run.id, "RUNNING");

  const other = new Database(join(lab.dir, "orch.db"));
  other.run(
    "CREATE TRIGGER fail_completed BEFORE INSERT ON flow_run_states WHEN NEW.type = 'COMPLETED' BEGIN SELECT RAISE(ABORT, 'simulated store failure'); END",
  );
  writeFileSync(go, "");
  const failed = () => errors.filter((e) => e.includes("simulated store failure")).length;
  await eventually(() => failed() > 0, 10_000, "a logged store error");
  expect(worker.active()).toEqual([]);

  const stopping = worker.stop();
  // The stop writes again (and fails again) before the store is repaired.
  const before = failed();
  await eventually(() => failed() > before, 10_000, "a retried write during stop");
  other.run("DROP TRIGGER fail_completed");
  other.close();
  await stopping;

  expect(getRun(lab.store, run.id)).toMatchObject({ state_type: "COMPLETED", exit_code: 0 });
  expect(getWorker(lab.store, worker.id)?.status).toBe("offline");
});
