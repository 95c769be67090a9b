/** A task attempt's timeout: past it, the attempt fails as TimedOut and its signal aborts. */
import { formatDuration } from "../core/duration.ts";
import { sdkTimers } from "./run-target.ts";

/** An attempt that ran past the task's timeout. */
export class TaskTimeoutError extends Error {
  constructor(task: string, ms: number) {
    super(`task "${task}" timed out after ${formatDuration(ms)}`);
    this.name = "TaskTimeoutError";
  }
}

/** `fn` within `ms`, or a TaskTimeoutError (and `abort` told) once they pass. */
export async function withTimeout<R>(
  name: string,
  ms: number | null,
  abort: AbortController,
  fn: () => Promise<R>,
): Promise<R> {
  if (ms === null) return fn();
  let cancel = () => {};
  const late = new Promise<never>((_, reject) => {
    cancel = sdkTimers().setTimer(ms, () => {
      const error = new TaskTimeoutError(name, ms);
      abort.abort(error);
      reject(error);
    });
  });
  try {
    return await Promise.race([fn(), late]);
  } finally {
    cancel();
  }
}
