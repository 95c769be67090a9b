/**
 * What `task.submit()` and `task.map()` give back: a future (a Promise that also says its state
 * and has `.result()`), and a map that runs items with a concurrency limit and collects failures.
 */

/** Where a future is. */
export type FutureState = "pending" | "completed" | "failed";

/** Each future's state (kept outside the class, so its declaration shows no private member). */
const states = new WeakMap<TaskFuture<unknown>, FutureState>();

/**
 * A task run started with `task.submit()`: await it (or `.result()`) for its value. A failed
 * future that is never awaited does not crash the flow; its task run is FAILED in the run's
 * task list and its error is in the logs.
 */
export class TaskFuture<R> extends Promise<R> {
  // then() and catch() make plain Promises, not more futures.
  static override get [Symbol.species]() {
    return Promise;
  }
  /** pending, completed or failed. */
  get state(): FutureState {
    return states.get(this) ?? "pending";
  }

  /** The task's value (rejects with its error). */
  result(): Promise<R> {
    return Promise.resolve(this);
  }

  /** A future that settles as `promise` does. */
  static from<R>(promise: Promise<R>): TaskFuture<R> {
    let resolve!: (value: R) => void;
    let reject!: (error: unknown) => void;
    const future = new TaskFuture<R>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.then(
      (value) => {
        states.set(future, "completed");
        resolve(value);
      },
      (error) => {
        states.set(future, "failed");
        reject(error);
      },
    );
    future.catch(() => {});
    return future;
  }
}

/** One item of a map that failed. */
export interface MapFailure {
  index: number;
  item: unknown;
  error: unknown;
}

/** A map whose items failed: `failures` says which (index, item, error); `errors` as usual. */
export class TaskMapError extends AggregateError {
  constructor(
    task: string,
    total: number,
    readonly failures: MapFailure[],
  ) {
    const shown = failures
      .slice(0, 10)
      .map((f) => `[${f.index}] ${f.error instanceof Error ? f.error.message : String(f.error)}`);
    if (failures.length > 10) shown.push(`… and ${failures.length - 10} more`);
    super(
      failures.map((f) => f.error),
      `task "${task}" failed for ${failures.length} of ${total} items: ${shown.join("; ")}`,
    );
    this.name = "TaskMapError";
  }
}

/** Options of `task.map()`. */
export interface MapOptions {
  /** Items run at once at most (default: all at once). */
  concurrency?: number;
}

/**
 * Run `call` for each item, never more than `concurrency` at once, in the items' order; settles
 * once every item has (a failure does not stop the others). Results keep the items' order.
 */
export async function mapSettled<T, R>(
  items: Iterable<T>,
  call: (item: T, index: number) => Promise<R>,
  options: MapOptions,
  where: string,
): Promise<PromiseSettledResult<R>[]> {
  const list = [...items];
  const limit = options.concurrency ?? list.length;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new TypeError(
      `${where}: concurrency must be a whole number of at least 1, not ${options.concurrency}`,
    );
  }
  const settled: PromiseSettledResult<R>[] = new Array(list.length);
  let next = 0;
  const lane = async () => {
    while (next < list.length) {
      const i = next++;
      try {
        settled[i] = { status: "fulfilled", value: await call(list[i]!, i) };
      } catch (reason) {
        settled[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, lane));
  return settled;
}

/** The values of a settled map, or a TaskMapError that names each failed item. */
export function valuesOrThrow<T, R>(
  task: string,
  items: readonly T[],
  settled: PromiseSettledResult<R>[],
): R[] {
  const failures: MapFailure[] = [];
  settled.forEach((s, index) => {
    if (s.status === "rejected") failures.push({ index, item: items[index], error: s.reason });
  });
  if (failures.length) throw new TaskMapError(task, settled.length, failures);
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}
