import { expect, test } from "vitest";
import {
  exponential,
  getTaskContext,
  TaskFuture,
  TaskMapError,
  TaskTimeoutError,
  task,
  unmapped,
} from "../../src/sdk/index.ts";
import { retryDelays } from "../../src/sdk/retry-policy.ts";

// In-process: no run, so nothing is reported; what a task does by itself is checked here, and
// through the compiled binary in test/e2e/sdk-tasks.test.ts.

test("retryDelay: a duration, a list (its last repeated), exponential with a cap and jitter", () => {
  const at = (delay: Parameters<typeof retryDelays>[0], n: number) =>
    Array.from({ length: n }, (_, i) => retryDelays(delay, "d")(i + 1));
  expect(at("2s", 3)).toEqual([2000, 2000, 2000]);
  expect(at(["1s", "500ms", 3], 4)).toEqual([1000, 500, 3000, 3000]);
  expect(at(exponential("1s"), 4)).toEqual([1000, 2000, 4000, 8000]);
  expect(at(exponential("1s", { max: "5s" }), 5)).toEqual([1000, 2000, 4000, 5000, 5000]);
  for (const [i, ms] of at(exponential("100ms", { jitter: 0.5 }), 6).entries()) {
    expect(ms).toBeGreaterThanOrEqual(100 * 2 ** i);
    expect(ms).toBeLessThanOrEqual(150 * 2 ** i);
  }
});

test("bad options fail when the task is defined, naming the option", () => {
  const fn = async () => 1;
  expect(() => task("t", fn, { retryDelay: "2 secs" })).toThrow(
    'task "t": retryDelay: "2 secs" is not a duration; use text like "500ms", "2s" or "1m", or a number of seconds',
  );
  expect(() => task("t", fn, { retryDelay: ["1s", "x"] })).toThrow('retryDelay[1]: "x"');
  expect(() => task("t", fn, { timeout: "soon" })).toThrow('task "t": timeout: "soon"');
  expect(() => task("t", fn, { retries: -1 })).toThrow("retries must be a whole number");
  expect(() => task("t", fn, { concurrency: { tag: "db", limit: 0 } })).toThrow(
    'task "t": concurrency.limit must be a whole number of at least 1, not 0',
  );
  expect(() => exponential("1s", { jitter: 2 })).toThrow("jitter must be a fraction from 0 to 1");
});

test("map runs at most `concurrency` items at once, keeps order, and names each failed item", async () => {
  let now = 0;
  let most = 0;
  const item = task("item", async (n: number) => {
    most = Math.max(most, ++now);
    await Bun.sleep(5);
    now--;
    if (n === 3 || n === 7) throw new Error(`bad ${n}`);
    return n * 10;
  });
  const error = await item.map([0, 1, 2, 3, 4, 5, 6, 7], { concurrency: 3 }).catch((e) => e);
  expect(most).toBe(3);
  expect(error).toBeInstanceOf(TaskMapError);
  expect(error.message).toBe('task "item" failed for 2 of 8 items: [3] bad 3; [7] bad 7');
  expect(error.failures.map((f: { index: number; item: number }) => [f.index, f.item])).toEqual([
    [3, 3],
    [7, 7],
  ]);
  const settled = await item.map([1, 3], { settle: true });
  expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected"]);
  expect(await item.map([2, 1, 0])).toEqual([20, 10, 0]);
  await expect(item.map([1], { concurrency: 0 })).rejects.toThrow(
    'task "item".map(): concurrency must be a whole number of at least 1, not 0',
  );
});

test("map takes further lists in step with its items and unmapped values, as Prefect's map does", async () => {
  const add = task("add", async (n: number, k: number, unit: string) => `${n + k}${unit}`);
  expect(await add.map([1, 2], [10, 20], unmapped("kg"))).toEqual(["11kg", "22kg"]);
  expect(await add.map([1, 2], unmapped(5), unmapped("g"), { concurrency: 1 })).toEqual([
    "6g",
    "7g",
  ]);
  const settled = await add.map(new Set([1]), [1], unmapped("m"), { settle: true });
  expect(settled).toEqual([{ status: "fulfilled", value: "2m" }]);
  // Said plainly: a list of another length, a value not wrapped, options it does not know.
  await expect(add.map([1, 2], [10], unmapped("kg"))).rejects.toThrow(
    'task "add".map(): argument 2 has 1 items and the items 2; lists mapped together must be as long',
  );
  const loose = add.map as (...args: unknown[]) => Promise<unknown>;
  await expect(loose([1], 10, unmapped("kg"))).rejects.toThrow(
    'task "add".map(): argument 2 is not a list to map over; wrap a value every call gets in unmapped(): unmapped(10)',
  );
  await expect(loose([1], "kg")).rejects.toThrow("argument 2 is not a list to map over");
  await expect(loose([1], [1], { unit: "kg" })).rejects.toThrow(
    "the last argument is taken as the map's options, which have no unit",
  );
});

test("submit returns a future: awaitable, with its state and result(); an unawaited failure does not crash", async () => {
  const double = task("double", async (n: number) => {
    await Bun.sleep(1);
    if (n < 0) throw new Error("negative");
    return n * 2;
  });
  const future = double.submit(21);
  expect(future).toBeInstanceOf(TaskFuture);
  expect(future).toBeInstanceOf(Promise);
  expect(future.state).toBe("pending");
  expect(await future).toBe(42);
  expect(future.state).toBe("completed");
  expect(await future.result()).toBe(42);
  const failed = double.submit(-1);
  await Bun.sleep(20);
  expect(failed.state).toBe("failed");
  await expect(failed.result()).rejects.toThrow("negative");
});

test("an attempt past the timeout fails as TimedOut (and is retried); its signal aborts", async () => {
  const signals: AbortSignal[] = [];
  const slow = task(
    "slow",
    async () => {
      signals.push(getTaskContext()!.signal);
      await Bun.sleep(1000);
    },
    { timeout: "30ms", retries: 1 },
  );
  const error = await slow().catch((e) => e);
  expect(error).toBeInstanceOf(TaskTimeoutError);
  expect(error.message).toBe('task "slow" timed out after 30ms');
  expect(signals.map((s) => s.aborted)).toEqual([true, true]);
});

test("a tag's limit holds within an untracked process too", async () => {
  let now = 0;
  let most = 0;
  const body = async (_n: number) => {
    most = Math.max(most, ++now);
    await Bun.sleep(5);
    now--;
  };
  const a = task("a", body, { concurrency: { tag: "unit-db", limit: 2 } });
  const b = task("b", body, { concurrency: { tag: "unit-db", limit: 2 } });
  await Promise.all([a.map([1, 2, 3, 4]), b.map([1, 2, 3, 4])]);
  expect(most).toBe(2);
});
