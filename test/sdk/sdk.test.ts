import { expect, test } from "vitest";
import { flow, task } from "../../src/sdk/index.ts";

test("a task retries as asked, with its options first or last", async () => {
  for (const make of [
    (fn: () => Promise<number>) => task("flaky", fn, { retries: 2 }),
    (fn: () => Promise<number>) => task({ name: "flaky", retries: 2 }, fn),
  ]) {
    let tries = 0;
    const flaky = make(async () => {
      if (++tries < 3) throw new Error("not yet");
      return tries;
    });
    expect(await flaky()).toBe(3);
    expect(flaky.orchTask).toMatchObject({ name: "flaky", retries: 2 });
  }
  const never = task("never", async () => {
    throw new Error("no");
  });
  await expect(never()).rejects.toThrow("no");
});

test("a flow is callable with its parameters and carries its name", async () => {
  const f = flow("double", async ({ n }: { n: number }) => n * 2);
  expect(await f({ n: 21 })).toBe(42);
  expect(f.orchFlow.name).toBe("double");
});
