/**
 * Task overrides: the one place where a task run gets its value without running its own body.
 * A source installed for a run (with `withTaskOverrides`) is asked before each task run, by the
 * task's name and inputs; it may answer with
 * - a value, returned at once (`reused` from a previous attempt, `recorded` in a past run), or
 * - a mock body, run in place of the task's own, with its attempts, retries and timeout as usual
 *   (so a mock that fails twice tests the retries).
 * The task run is recorded as COMPLETED with a state name that says why (Mocked, Reused,
 * Recorded), as a cache hit is recorded as Cached. Outside any source, tasks run as written.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** Why a task run did not run its own body. */
export type OverrideReason = "mock" | "reused" | "recorded";

/** What a source answers for one task run. */
export type TaskOverride =
  | { reason: "reused" | "recorded"; value: unknown }
  | { reason: "mock"; body: (...inputs: unknown[]) => unknown };

/**
 * Asked before each task run, with the task's name, inputs and the hash of its source (see
 * task-inputs.ts): an override, or undefined to run the task as written.
 */
export type TaskOverrideSource = (
  task: string,
  inputs: unknown[],
  source: string,
) => TaskOverride | undefined | Promise<TaskOverride | undefined>;

/** The state name a completed task run carries for each reason (see core/states.ts). */
export const OVERRIDE_STATE_NAMES = {
  mock: "Mocked",
  reused: "Reused",
  recorded: "Recorded",
} as const satisfies Record<OverrideReason, string>;

/** The sources in scope, innermost first. */
const storage = new AsyncLocalStorage<readonly TaskOverrideSource[]>();

/**
 * Run `fn` with `source` asked before each task run inside it (subflows and submitted tasks
 * included). Sources nest: an inner one is asked first, and an outer one when it answers nothing.
 */
export function withTaskOverrides<T>(source: TaskOverrideSource, fn: () => T): T {
  return storage.run([source, ...(storage.getStore() ?? [])], fn);
}

/** The override of a task run about to start, or undefined when it runs as written. */
export async function findTaskOverride(
  task: string,
  inputs: unknown[],
  code: string,
): Promise<TaskOverride | undefined> {
  for (const source of storage.getStore() ?? []) {
    const found = await source(task, inputs, code);
    if (found) return found;
  }
  return undefined;
}
