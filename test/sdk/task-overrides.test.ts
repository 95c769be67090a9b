import { expect, test } from "vitest";
import { task } from "../../src/sdk/index.ts";
import { flushReports } from "../../src/sdk/reporter.ts";
import { type TaskOverrideSource, withTaskOverrides } from "../../src/sdk/task-overrides.ts";
import { playFlowProcess } from "./flow-process.ts";

// Task overrides in this process against a real server: this process plays a flow's process,
// with the environment a worker gives one, and the server records the task runs.

const run = playFlowProcess();

const taskRuns = async (name: string) => {
  await flushReports();
  return (await run.client.getRun(run.runId)).tasks.filter((t) => t.name === name);
};

test("a reused or recorded value is returned without running the body, and recorded as such", async () => {
  let ran = 0;
  const load = task("ov-load", async (day: string) => {
    ran++;
    return { day, rows: 3 };
  });
  const asked: [string, unknown[]][] = [];
  const source: TaskOverrideSource = (name, inputs) => {
    asked.push([name, inputs]);
    if (inputs[0] === "mon") return { reason: "reused", value: { day: "mon", rows: 1 } };
    if (inputs[0] === "tue") return { reason: "recorded", value: { day: "tue", rows: 2 } };
    return undefined;
  };
  const values = await withTaskOverrides(source, () =>
    Promise.all([load("mon"), load("tue"), load("wed")]),
  );
  expect(values).toEqual([
    { day: "mon", rows: 1 },
    { day: "tue", rows: 2 },
    { day: "wed", rows: 3 },
  ]);
  expect(ran).toBe(1);
  expect(asked).toEqual([
    ["ov-load", ["mon"]],
    ["ov-load", ["tue"]],
    ["ov-load", ["wed"]],
  ]);
  // Outside the source, the task runs as written.
  expect(await load("mon")).toEqual({ day: "mon", rows: 3 });
  const runs = await taskRuns("ov-load");
  expect(runs.map((t) => [t.state, t.state_name]).sort()).toEqual([
    ["COMPLETED", "Completed"],
    ["COMPLETED", "Completed"],
    ["COMPLETED", "Recorded"],
    ["COMPLETED", "Reused"],
  ]);
  expect(runs.find((t) => t.state_name === "Reused")?.attempts).toBe(0);
  // The value is the task run's result, as a run's own would be.
  const once = task("ov-once", async () => "ran");
  await withTaskOverrides(
    () => ({ reason: "reused", value: { kept: 1 } }),
    () => once(),
  );
  await flushReports();
  expect((await run.client.getResult(run.runId, "ov-once")).value).toEqual({ kept: 1 });
});

test("a mock replaces the body: it gets the inputs, and retries apply to it", async () => {
  let calls = 0;
  const fetchOrders = task("ov-fetch", async (_region: string) => [{ real: true }], {
    retries: 2,
  });
  const mock = (region: unknown) => {
    calls++;
    if (calls < 3) throw new Error(`503 from ${region}`);
    return [{ region, mocked: true }];
  };
  const value = await withTaskOverrides(
    (name) => (name === "ov-fetch" ? { reason: "mock", body: mock } : undefined),
    () => fetchOrders("eu"),
  );
  expect(value).toEqual([{ region: "eu", mocked: true }]);
  expect(calls).toBe(3);
  const [run] = await taskRuns("ov-fetch");
  expect([run?.state, run?.state_name, run?.attempts]).toEqual(["COMPLETED", "Mocked", 3]);
});

test("sources nest: the inner one is asked first, the outer one when it answers nothing", async () => {
  const name = task("ov-nest", async (n: number) => n);
  const outer: TaskOverrideSource = (_t, [n]) => ({ reason: "recorded", value: `outer ${n}` });
  const inner: TaskOverrideSource = (_t, [n]) =>
    n === 1 ? { reason: "reused", value: "inner 1" } : undefined;
  const values = await withTaskOverrides(outer, () =>
    withTaskOverrides(inner, () => Promise.all([name(1), name(2)])),
  );
  expect(values).toEqual(["inner 1", "outer 2"]);
});
