import { describe, expect, test } from "vitest";
import {
  createReuseLookup,
  type ReuseCandidate,
  reuseSource,
  reusesResults,
  selectReusable,
} from "../../src/core/index.ts";

describe("which attempt an attempt reuses from", () => {
  test("an attempt started by a resume reuses the attempt that paused", () => {
    expect(reuseSource(3, { latestScheduled: "Resuming", retriedFromFailure: false })).toEqual({
      attempt: 2,
      reason: "resume",
    });
  });

  test("an attempt of a run retried from the failure reuses the attempt that failed", () => {
    expect(reuseSource(2, { latestScheduled: "Scheduled", retriedFromFailure: true })).toEqual({
      attempt: 1,
      reason: "retry",
    });
  });

  test("a resume is what started the attempt, even of a run once retried from the failure", () => {
    expect(reuseSource(4, { latestScheduled: "Resuming", retriedFromFailure: true })).toEqual({
      attempt: 3,
      reason: "resume",
    });
  });

  test("a first attempt, a plain retry and an automatic retry run every task", () => {
    const plain = { latestScheduled: "Scheduled", retriedFromFailure: false };
    expect(reuseSource(1, { latestScheduled: "Resuming", retriedFromFailure: true })).toBeNull();
    expect(reuseSource(2, plain)).toBeNull();
    expect(reuseSource(2, { ...plain, latestScheduled: "AwaitingRetry" })).toBeNull();
    expect(reuseSource(2, { ...plain, latestScheduled: null })).toBeNull();
    expect(reuseSource(Number.NaN, { ...plain, latestScheduled: "Resuming" })).toBeNull();
  });
});

describe("which task runs of that attempt may be reused", () => {
  type Run = ReuseCandidate & { id: string };
  const run = (id: string, state: string, start: number, end: number | null, more = {}): Run => ({
    id,
    state,
    inputs_hash: `in-${id}`,
    source_hash: `code-${id}`,
    started_at: start,
    ended_at: end,
    kept: state === "COMPLETED",
    ...more,
  });
  const reusable = (runs: Run[]) => selectReusable(runs, (r) => r).map((r) => r.id);

  test("what completed before the first failure ended, not what started after it", () => {
    expect(
      reusable([
        run("fetch", "COMPLETED", 0, 10),
        run("item-0", "COMPLETED", 20, 40),
        run("item-1", "FAILED", 20, 30),
        run("item-2", "COMPLETED", 25, 60),
        run("item-3", "FAILED", 22, 50),
        run("fallback", "COMPLETED", 31, 35),
      ]),
    ).toEqual(["fetch", "item-0", "item-2"]);
  });

  test("within the millisecond the failure ended, what started before the failed task is reused", () => {
    // A fast flow: fetch, price and the failing transform one after another in one millisecond.
    expect(
      reusable([
        run("fetch", "COMPLETED", 5, 5),
        run("price", "COMPLETED", 5, 5),
        run("transform", "FAILED", 5, 5),
        // Started once the failure was known, in the same millisecond: it runs again.
        run("fallback", "COMPLETED", 5, 5),
      ]),
    ).toEqual(["fetch", "price"]);
  });

  test("without a failure, every completed task run, in the order given", () => {
    expect(
      reusable([
        run("b", "COMPLETED", 10, 20),
        run("a", "COMPLETED", 0, 10),
        run("c", "RUNNING", 20, null),
        run("d", "FAILED", 30, null),
      ]),
    ).toEqual(["b", "a"]);
  });

  test("nothing without hashed inputs, hashed code, a kept result or a start", () => {
    expect(
      reusable([
        run("opaque", "COMPLETED", 0, 1, { inputs_hash: null }),
        run("old", "COMPLETED", 0, 1, { source_hash: null }),
        run("resultless", "COMPLETED", 0, 1, { kept: false }),
        run("unstarted", "COMPLETED", 0, 1, { started_at: null }),
        run("cached", "COMPLETED", 0, 1),
      ]),
    ).toEqual(["cached"]);
  });
});

test('a resume reuses unless the flow says resume: "rerun"; a retry from the failure always does', () => {
  expect(reusesResults("resume", "reuse")).toBe(true);
  expect(reusesResults("resume", "rerun")).toBe(false);
  expect(reusesResults("retry", "rerun")).toBe(true);
  expect(reusesResults(undefined, "reuse")).toBe(true);
});

test("a call reuses a result of the same task name, inputs and code, each result once", () => {
  const lookup = createReuseLookup([
    { name: "fetch", inputs_hash: "i1", source_hash: "c1", value: "first" },
    { name: "fetch", inputs_hash: "i1", source_hash: "c1", value: "second" },
    { name: "fetch", inputs_hash: "i2", source_hash: "c1", value: "other input" },
  ]);
  expect(lookup.count).toBe(3);
  // Another task of the same inputs and code, or the same task with changed code: it runs.
  expect(lookup.take("load", "i1", "c1")).toBeUndefined();
  expect(lookup.take("fetch", "i1", "c2")).toBeUndefined();
  expect(lookup.take("fetch", "i1", "c1")).toEqual({ value: "first" });
  expect(lookup.take("fetch", "i1", "c1")).toEqual({ value: "second" });
  expect(lookup.take("fetch", "i1", "c1")).toBeUndefined();
  expect(lookup.take("fetch", "i2", "c1")).toEqual({ value: "other input" });
});
