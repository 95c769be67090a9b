import { expect, test } from "vitest";
import { createArtifact, task } from "../../src/sdk/index.ts";
import { flushReports } from "../../src/sdk/reporter.ts";
import { checkResult } from "../../src/sdk/result.ts";
import { playFlowProcess } from "./flow-process.ts";

// The SDK's side of what a run keeps, in this process against a real server: this process plays
// a flow's process, with the environment a worker gives one.

const run = playFlowProcess({ ORCH_PARAMETERS: '{"region":"eu"}' });

test("a value that is not JSON is named by where it is and what it is, with what to do", () => {
  const problem = (value: unknown) => {
    const kept = checkResult(value, "the value");
    return "problem" in kept ? kept.problem : null;
  };
  expect(problem({ a: [1, new Map()] })).toMatch(
    /^the value is not JSON: value\.a\[1\] is a Map \(return Object\.fromEntries\(map\) or \[\.\.\.map\]\); return JSON-serialisable data/,
  );
  expect(problem({ "odd key": new Set([1]) })).toMatch(/value\["odd key"\] is a Set/);
  expect(problem({ f: () => 1 })).toMatch(/value\.f is a function/);
  expect(problem(10n)).toMatch(/value is a bigint \(return it as a string\)/);
  expect(problem([Number.NaN])).toMatch(/value\[0\] is NaN \(JSON has no such number\)/);
  class Point {
    x = 1;
  }
  expect(problem({ p: new Point() })).toMatch(/value\.p is an instance of Point/);
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  expect(problem(cycle)).toMatch(/value\.self refers back to itself/);
  // What JSON holds as it is, or by its toJSON, is kept; nothing at all is null.
  expect(checkResult({ at: new Date(0), shared: [1], again: [1] }, "v")).toEqual({
    json: '{"at":"1970-01-01T00:00:00.000Z","shared":[1],"again":[1]}',
  });
  expect(checkResult(undefined, "v")).toEqual({ json: "null" });
});

test("two identical cached calls at once run the body once; the second is recorded as Cached", async () => {
  let runs = 0;
  const slow = task({ name: "slow-square", cache: true }, async (n: number) => {
    runs++;
    await Bun.sleep(20);
    return n * n;
  });
  expect(await Promise.all([slow(7), slow(7)])).toEqual([49, 49]);
  expect(runs).toBe(1);
  // Later calls, and calls with other inputs.
  expect(await slow(7)).toBe(49);
  expect(await slow(8)).toBe(64);
  expect(runs).toBe(2);
  await flushReports();
  const tasks = (await run.client.getRun(run.runId)).tasks.filter((t) => t.name === "slow-square");
  expect(tasks.map((t) => t.state_name).sort()).toEqual([
    "Cached",
    "Cached",
    "Completed",
    "Completed",
  ]);
  expect((await run.client.listCache("slow-square")).map((e) => e.run_id)).toEqual([
    run.runId,
    run.runId,
  ]);
});

test("cacheKey gets the inputs and the run; its key is what the cache lists", async () => {
  const seen: unknown[] = [];
  const byRegion = task(
    {
      name: "by-region",
      cacheKey: (inputs: [string], ctx) => {
        seen.push({ inputs, ctx });
        return `${ctx.parameters.region}/${inputs[0]}`;
      },
    },
    async (day: string) => day.length,
  );
  expect(await byRegion("monday")).toBe(6);
  expect(seen).toEqual([
    {
      inputs: ["monday"],
      ctx: { task: "by-region", runId: run.runId, parameters: { region: "eu" } },
    },
  ]);
  expect((await run.client.listCache("by-region")).map((e) => e.key)).toEqual(["eu/monday"]);
});

test("bad cache options and inputs fail clearly, naming the task and what to do", async () => {
  expect(() => task({ name: "t", cache: { expires: "soon" } }, async () => 1)).toThrow(
    'task t: expires "soon" is not a duration (like "30m", "1h", "7d", or a number of seconds)',
  );
  const byFn = task({ name: "by-fn", cache: true }, async (f: () => number) => f());
  await expect(byFn(() => 1)).rejects.toThrow(
    "task by-fn caches by its inputs, and inputs[0] is a function; give the task a cacheKey: (inputs) => string",
  );
  const empty = task({ name: "empty-key", cacheKey: () => "" }, async () => 1);
  await expect(empty()).rejects.toThrow(
    "task empty-key: a cache key must be a string of 1 to 500 characters, not 0 characters",
  );
});

test("createArtifact checks its data at once; inside a task the artifact names it", async () => {
  await expect(
    createArtifact({ key: "r", type: "table", data: "not rows" as unknown as unknown[][] }),
  ).rejects.toThrow(/createArtifact "r": data: a table artifact's data is a list of rows/);
  await expect(createArtifact({ key: "l", type: "link", data: "no url" })).rejects.toThrow(
    'createArtifact "l": data: "no url" is not a URL',
  );
  const report = task("report", async () => {
    await createArtifact({ key: "made-in-task", type: "markdown", data: "*hi*" });
  });
  await report();
  await createArtifact({ key: "made-in-flow", type: "link", data: "https://example.com" });
  const artifacts = await run.client.listArtifacts(run.runId);
  expect(artifacts.map((a) => [a.key, a.task])).toEqual([
    ["made-in-task", "report"],
    ["made-in-flow", null],
  ]);
});
