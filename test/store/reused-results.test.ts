import { expect, test } from "vitest";
import {
  createRun,
  recordedTaskRuns,
  reusableTaskRuns,
  type TaskRunInput,
  upsertTaskRuns,
} from "../../src/store/index.ts";
import { storeForEachTest } from "./temp-store.ts";

const store = storeForEachTest();

const value = (v: unknown) => JSON.stringify({ value: v, size: JSON.stringify(v).length });

/** A task run of attempt `attempt` that ran from `start` to `end` (ms). */
function taskRun(
  id: string,
  state: string,
  start: number,
  end: number,
  more: Partial<TaskRunInput> = {},
): TaskRunInput {
  return {
    id,
    name: id.replace(/-.*/, ""),
    state,
    attempts: 1,
    started_at: start,
    ended_at: end,
    run_attempt: 1,
    inputs_hash: `hash-${id}`,
    source_hash: `code-${id}`,
    ...(state === "COMPLETED" ? { result: value(id) } : {}),
    ...more,
  };
}

test("a retry reuses what completed before the first failure ended, not what started after it", () => {
  const run = createRun(store(), { deployment: "d", retries: 0 });
  upsertTaskRuns(store(), run, [
    taskRun("fetch", "COMPLETED", 0, 10),
    // Items of a map beside the one that fails: they did not see the failure.
    taskRun("item-0", "COMPLETED", 20, 40),
    taskRun("item-1", "FAILED", 20, 30),
    taskRun("item-2", "COMPLETED", 25, 60),
    // Started once the failure was known: it may depend on it (a fallback), so it runs again.
    taskRun("fallback", "COMPLETED", 31, 35),
    // No inputs hash (its inputs were not JSON), no code hash (recorded before orch kept it),
    // or no result kept: nothing to reuse.
    taskRun("opaque", "COMPLETED", 1, 2, { inputs_hash: undefined }),
    taskRun("codeless", "COMPLETED", 1, 2, { source_hash: undefined }),
    taskRun("resultless", "COMPLETED", 1, 2, { result: undefined }),
    // Another attempt's.
    taskRun("older", "COMPLETED", 0, 1, { run_attempt: 2 }),
  ]);
  expect(reusableTaskRuns(store(), run.seq, 1).map((t) => t.key)).toEqual([
    "fetch",
    "item-0",
    "item-2",
  ]);
  expect(recordedTaskRuns(store(), run.seq, 1)).toHaveLength(8);
  expect(recordedTaskRuns(store(), run.seq, 2).map((t) => t.name)).toEqual(["older"]);
});

test("without a failed task, every completed task run of the attempt may be reused", () => {
  const run = createRun(store(), { deployment: "d", retries: 0 });
  upsertTaskRuns(store(), run, [
    taskRun("a", "COMPLETED", 0, 10),
    taskRun("b", "COMPLETED", 10, 20),
    taskRun("c", "RUNNING", 20, 20, { ended_at: null }),
  ]);
  expect(reusableTaskRuns(store(), run.seq, 1).map((t) => t.key)).toEqual(["a", "b"]);
});

test("a later report without the attempt or hash keeps what the first one recorded", () => {
  const run = createRun(store(), { deployment: "d", retries: 0 });
  upsertTaskRuns(store(), run, [taskRun("a", "RUNNING", 0, 0, { result: undefined })]);
  upsertTaskRuns(store(), run, [
    taskRun("a", "COMPLETED", 0, 10, { run_attempt: undefined, inputs_hash: undefined }),
  ]);
  expect(recordedTaskRuns(store(), run.seq, 1)).toMatchObject([
    { key: "a", state: "COMPLETED", inputs_hash: "hash-a" },
  ]);
});
