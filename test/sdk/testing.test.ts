import { expect, test } from "vitest";
import { createArtifact, flow, getRunLogger, getSecret, pause, task } from "../../src/sdk/index.ts";
import { testFlow } from "../../src/sdk/testing.ts";

// orch/testing: flows run with the real SDK against the in-memory store, in this process.

test("a run's states, task runs, logs, result and artifacts; console lines are its logs", async () => {
  const double = task("double", async (n: number) => n * 2);
  const etl = flow("etl", async ({ n }: { n: number }) => {
    getRunLogger().info("starting", { n });
    const values = await double.map([n, n + 1]);
    console.log("doubled", values.length);
    await createArtifact({ key: "sum", type: "markdown", data: `sum ${values[0]! + values[1]!}` });
    return { values };
  });
  const run = await testFlow(etl, { parameters: { n: 2 } });
  expect(run.state).toBe("COMPLETED");
  expect(run.result).toEqual({ values: [4, 6] });
  expect(run.states.map((s) => s.name)).toEqual(["Pending", "Running", "Completed"]);
  expect(run.tasks.map((t) => [t.name, t.state, t.result])).toEqual([
    ["double", "COMPLETED", 4],
    ["double", "COMPLETED", 6],
  ]);
  expect(run.logs.map((l) => [l.level, l.line])).toEqual([
    ["info", "starting"],
    ["info", "doubled 2"],
  ]);
  expect(run.logs[0]?.fields).toEqual({ n: 2 });
  expect(run.artifacts).toEqual([{ key: "sum", type: "markdown", data: "sum 10" }]);
});

test("a retry delay of an hour passes with advance(), not in real time", async () => {
  let calls = 0;
  const flaky = task(
    "flaky",
    async () => {
      if (++calls < 3) throw new Error(`down ${calls}`);
      return "up";
    },
    { retries: 2, retryDelay: "1h" },
  );
  const started = Date.now();
  const t = testFlow(
    flow("retrying", () => flaky()),
    { clock: "manual", start: "2026-01-01T00:00:00Z" },
  );
  await t.advance("59m");
  expect(calls).toBe(1);
  expect(t.run.tasks[0]?.state_name).toBe("AwaitingRetry");
  await t.advance("2h");
  const run = await t;
  expect(calls).toBe(3);
  expect(run.state).toBe("COMPLETED");
  expect(run.result).toBe("up");
  expect(run.tasks[0]).toMatchObject({ state: "COMPLETED", attempts: 3 });
  expect(run.tasks[0]?.ended_at).toBe("2026-01-01T02:00:00.000Z");
  expect(t.now().toISOString()).toBe("2026-01-01T02:59:00.000Z");
  expect(Date.now() - started).toBeLessThan(60_000);
  expect(run.logs.filter((l) => l.level === "warn").map((l) => l.line)).toEqual([
    "task flaky attempt 1 failed: down 1; retrying in 1h",
    "task flaky attempt 2 failed: down 2; retrying in 1h",
  ]);
});

test("a task's and a flow's timeouts, on the manual clock", async () => {
  const slow = task("slow", () => new Promise(() => {}), { timeout: "10m" });
  const t = testFlow(
    flow("slow-flow", () => slow()),
    { clock: "manual" },
  );
  await t.advance("10m");
  const run = await t;
  expect(run.state).toBe("FAILED");
  expect(run.tasks[0]?.state_name).toBe("TimedOut");
  expect(run.message).toBe('task "slow" timed out after 10m');

  const stuck = flow("stuck", () => new Promise(() => {}), {
    timeout: "1h",
    retries: 1,
    retryDelay: "5m",
  });
  const s = testFlow(stuck, { clock: "manual" });
  await s.advance("3h");
  const failed = await s;
  expect(failed.states.map((x) => x.name)).toEqual([
    "Pending",
    "Running",
    "AwaitingRetry",
    "Retrying",
    "TimedOut",
  ]);
  expect(failed.attempt).toBe(2);
});

test("mocks replace tasks by name; a value stands for a function returning it", async () => {
  const fetchOrders = task("fetch-orders", async (_day: string): Promise<number[]> => {
    throw new Error("no network in tests");
  });
  const rate = task("rate", async () => 1);
  const total = flow("total", async ({ day }: { day: string }) => {
    const orders = await fetchOrders(day);
    return orders.reduce((a, b) => a + b, 0) * (await rate());
  });
  const days: string[] = [];
  const run = await testFlow(total, {
    parameters: { day: "mon" },
    mocks: {
      "fetch-orders": (day: string) => {
        days.push(day);
        return [1, 2, 3];
      },
      rate: 10,
      "fetch-order": [],
    },
  });
  expect(run.result).toBe(60);
  expect(days).toEqual(["mon"]);
  expect(run.tasks.map((t) => [t.name, t.state_name])).toEqual([
    ["fetch-orders", "Mocked"],
    ["rate", "Mocked"],
  ]);
  // A misspelt mock is told, not silently ignored, with the name it was likely meant to be.
  expect(run.logs.at(-1)?.line).toBe(
    'mock fetch-order was not used: no task is named fetch-order; did you mean "fetch-orders"?',
  );
});

test("a mock of a real task the run did not reach says so; a missing secret points to the harness", async () => {
  const first = task("first-step", async () => {
    throw new Error("stops here");
  });
  const second = task("second-step", async () => getSecret("api_token"));
  const stops = flow("stops", async () => {
    await first();
    return second();
  });
  const run = await testFlow(stops, { mocks: { "second-step": 1 } });
  expect(run.state).toBe("FAILED");
  expect(run.logs.at(-1)?.line).toBe(
    "mock second-step was not used: task second-step was not reached in this run",
  );
  const lacking = await testFlow(flow("lacks", async () => second()));
  expect(lacking.message).toBe(
    'secret api_token was not given to this run: pass it to testFlow as { secrets: { "api_token": "…" } }',
  );
  expect(lacking.message).not.toContain("orch secrets set");
});

test("caching within the run (and its expiry on the clock); secrets", async () => {
  let ran = 0;
  const lookup = task("lookup", async (k: string) => `${k}:${++ran}`, { cache: { expires: "1h" } });
  const later = task("later", async () => {});
  const cached = flow("cached", async () => {
    const a = await lookup("x");
    const b = await lookup("x");
    await later();
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    return [a, b, getSecret("token")];
  });
  const run = await testFlow(cached, { secrets: { token: "s3cret" } });
  expect(run.result).toEqual(["x:1", "x:1", "s3cret"]);
  expect(run.tasks.filter((t) => t.name === "lookup").map((t) => t.state_name)).toEqual([
    "Completed",
    "Cached",
  ]);
  // Each test has its own store: nothing is cached from another.
  expect((await testFlow(cached, { secrets: { token: "t" } })).result).toEqual(["x:2", "x:2", "t"]);
});

test("a subflow is a child run, with its own state, result and logs", async () => {
  const child = flow("child", async ({ n }: { n: number }) => {
    getRunLogger().info("in child");
    if (n < 0) throw new Error("negative");
    return n + 1;
  });
  const parent = flow("parent", async () => {
    const one = await child({ n: 1 });
    const failed = await child({ n: -1 }).catch((e: Error) => e.message);
    return { one, failed };
  });
  const run = await testFlow(parent);
  expect(run.result).toEqual({ one: 2, failed: "negative" });
  expect(run.subflows.map((s) => [s.name, s.state, s.result, s.parent_id])).toEqual([
    ["child", "COMPLETED", 2, run.id],
    ["child", "FAILED", undefined, run.id],
  ]);
  expect(run.subflows[0]?.logs.map((l) => l.line)).toEqual(["in child"]);
});

test("pause: PAUSED, resumed with input from the top; a pause's timeout fails the run", async () => {
  let starts = 0;
  const approve = flow("approve", async () => {
    starts++;
    const { ok } = await pause<{ ok: boolean }>({ timeout: "1d" });
    return ok ? "shipped" : "held";
  });
  const t = testFlow(approve, { clock: "manual" });
  const paused = await t;
  expect(paused.state).toBe("PAUSED");
  expect(paused.pause).toEqual({ key: "pause-1", timeout_ms: 86_400_000 });
  const done = await t.resume({ ok: true });
  expect(done.state).toBe("COMPLETED");
  expect(done.result).toBe("shipped");
  expect(starts).toBe(2);

  const late = testFlow(approve, { clock: "manual" });
  expect((await late).state).toBe("PAUSED");
  await late.advance("1d");
  expect(late.run.state).toBe("FAILED");
  expect(late.run.message).toBe("not resumed in time: pause-1 waited 1d and timed out");
});

test('a resume reuses what completed before the pause, as orch does; resume: "rerun" runs it again', async () => {
  let fetched = 0;
  const fetchRows = task("fetch", async (day: string) => {
    fetched++;
    return [day, fetched];
  });
  const ship = task("ship", async (rows: unknown[]) => rows.length);
  const body = async () => {
    const rows = await fetchRows("d1");
    await pause({ key: "approve" });
    return { rows, shipped: await ship(rows) };
  };
  const t = testFlow(flow("release", body));
  expect((await t).state).toBe("PAUSED");
  const done = await t.resume();
  expect(done.state).toBe("COMPLETED");
  // The rows approved are the rows shipped: fetch did not run again.
  expect(done.result).toEqual({ rows: ["d1", 1], shipped: 2 });
  expect(fetched).toBe(1);
  expect(done.tasks.map((x) => `${x.name} ${x.state_name}`)).toEqual([
    "fetch Completed",
    "fetch Reused",
    "ship Completed",
  ]);

  const again = testFlow(flow({ name: "release", resume: "rerun" }, body));
  await again;
  // Its own first attempt fetched once more (2), and the resume fetched again (3).
  expect((await again.resume()).result).toEqual({ rows: ["d1", 3], shipped: 2 });
  expect(fetched).toBe(3);
  expect(() => flow({ name: "bad", resume: "never" as "rerun" }, body)).toThrow(
    'flow bad: resume must be "reuse" or "rerun", not "never"',
  );
});

test("a resume with input the pause's schema refuses is refused, as orch refuses it; the run stays PAUSED", async () => {
  const gate = flow("gate", async () => {
    const { ok } = await pause<{ ok: boolean }>({
      input: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] },
    });
    return ok ? "open" : "shut";
  });
  const t = testFlow(gate);
  expect((await t).state).toBe("PAUSED");
  const refused = t.resume({ ok: "nope" } as never);
  await expect(refused).rejects.toThrow(
    /^the input does not match what pause-1 of run \w{8} asks for: input\.ok: must be a boolean, not "nope"$/,
  );
  // Its stack starts at the test's line, where a runner shows its code frame.
  const stack = String(await refused.catch((e: Error) => e.stack));
  expect(stack.split("\n").find((line) => /^\s+at /.test(line))).toMatch(/testing\.test\.ts:/);
  expect(t.run.state).toBe("PAUSED");
  expect((await t).state).toBe("PAUSED");
  const done = await t.resume({ ok: true });
  expect(done).toMatchObject({ state: "COMPLETED", result: "open" });
});

test("a flow with 20 tasks, tested in milliseconds", async () => {
  const step = task("step", async (i: number) => i);
  const twenty = flow("twenty", async () => {
    let sum = 0;
    for (let i = 0; i < 20; i++) sum += await step(i);
    return sum;
  });
  const run = await testFlow(twenty);
  expect(run.result).toBe(190);
  expect(run.tasks).toHaveLength(20);
});

test("bad use says what to do", () => {
  expect(() => testFlow((() => 1) as never)).toThrow('pass a flow made with flow() from "orch"');
  const f = flow("f", () => 1);
  expect(() => testFlow(f, { clock: "fake" as never })).toThrow('clock must be "real" or "manual"');
  expect(testFlow(f).advance("1h")).rejects.toThrow('testFlow(flow, { clock: "manual" })');
});
