/**
 * `task()`: a step of a flow. Each call inside a run is a task run, retried on failure when
 * asked and reported to orch in the background.
 */
import { reportTask, type TaskReport } from "./task-reporter.ts";

/** Options of a task. */
export interface TaskOptions {
  name: string;
  /** Times to try again after a failure. */
  retries?: number;
}

/** A task: callable like the function it wraps. */
export type Task<A extends unknown[], R> = ((...args: A) => Promise<R>) & {
  readonly orchTask: TaskOptions;
};

/**
 * Define a task: a step of a flow, retried on failure when asked: `task("load", fn, { retries: 2 })`
 * or `task({ name: "load", retries: 2 }, fn)`. Inside a run, each call is a
 * task run that `orch runs inspect` lists with its state and attempts.
 */
export function task<A extends unknown[], R>(
  nameOrOptions: string | TaskOptions,
  fn: (...args: A) => R | Promise<R>,
  more: Omit<TaskOptions, "name"> = {},
): Task<A, R> {
  const options: TaskOptions =
    typeof nameOrOptions === "string"
      ? { ...more, name: nameOrOptions }
      : { ...more, ...nameOrOptions };
  const run = async (...args: A): Promise<R> => {
    const report: TaskReport = {
      id: crypto.randomUUID(),
      name: options.name,
      state: "RUNNING",
      attempts: 0,
      started_at: new Date().toISOString(),
      ended_at: null,
    };
    for (let attempt = 1; ; attempt++) {
      report.attempts = attempt;
      reportTask({ ...report });
      try {
        const result = await fn(...args);
        reportTask({ ...report, state: "COMPLETED", ended_at: new Date().toISOString() });
        return result;
      } catch (error) {
        if (attempt > (options.retries ?? 0)) {
          reportTask({ ...report, state: "FAILED", ended_at: new Date().toISOString() });
          throw error;
        }
      }
    }
  };
  return Object.assign(run, { orchTask: options });
}
