/**
 * Which task run the code that is running belongs to, across awaits (AsyncLocalStorage): the
 * logger names the task in its lines, and a task's body can read its attempt and its signal.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** The task run a piece of code runs in. */
export interface TaskContext {
  /** The task run's id (unique in the run). */
  id: string;
  /** The task's name. */
  name: string;
  /** Which attempt this is (1 for the first). */
  attempt: number;
  /** Aborts when the attempt times out: a long task can stop its own work. */
  signal: AbortSignal;
}

const storage = new AsyncLocalStorage<TaskContext>();

/** The task run the caller runs in, or undefined outside a task. */
export function getTaskContext(): TaskContext | undefined {
  return storage.getStore();
}

/** Run `fn` as (an attempt of) the task run `context`. */
export function runInTask<R>(context: TaskContext, fn: () => R): R {
  return storage.run(context, fn);
}
