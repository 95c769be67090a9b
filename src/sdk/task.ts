/**
 * `task()`: a step of a flow. Each call inside a run is a task run: retried on failure as asked
 * (with a delay), timed out, limited by tag across runs, logged when it fails and reported to
 * orch in the background. `.submit()` starts one and returns a future; `.map()` runs many.
 */
// Not the core's index: the flow-run entry loads only what a run needs.
import { formatDuration } from "../core/duration.ts";
import type { TaskRunReport } from "../core/wire/task-reports.ts";
import { type CacheKeyContext, type CacheOption, planCache, runCached } from "./cache.ts";
import { sdkLog } from "./logger.ts";
import { type MapArgs, mapArgs, type RestOf } from "./map-args.ts";
import { createReportChannel } from "./reporter.ts";
import { checkResult, resultFields } from "./result.ts";
import { type Duration, durationMs, type RetryDelay, retryDelays } from "./retry-policy.ts";
import { isTracked } from "./run-context.ts";
import { isoNow, sleep } from "./run-target.ts";
import { maskSecrets } from "./run-values.ts";
import { isConfigurationError } from "./secrets.ts";
import { checkConcurrency, type TagConcurrency, takeTagSlot } from "./tag-slots.ts";
import { runInTask } from "./task-context.ts";
import { type MapOptions, mapSettled, TaskFuture, valuesOrThrow } from "./task-future.ts";
import { sourceHash, taskCallFields } from "./task-inputs.ts";
import { findTaskOverride, OVERRIDE_STATE_NAMES } from "./task-overrides.ts";
import { TaskTimeoutError, withTimeout } from "./task-timeout.ts";

/** Options of a task. */
export interface TaskOptions<A extends unknown[] = unknown[]> {
  name: string;
  description?: string;
  /** Times to try again after a failure (default 0). */
  retries?: number;
  /** The wait before each retry: "2s", ["1s", "10s"], or exponential("1s", { max: "1m" }). */
  retryDelay?: RetryDelay;
  /** Each attempt fails as TimedOut past this duration ("30s"; a number is seconds). */
  timeout?: Duration;
  /** Labels of the task's runs. */
  tags?: string[];
  /** At most `limit` runs of this task (and others with the same tag) at once, across runs. */
  concurrency?: TagConcurrency;
  /**
   * Keep the task's value and return it, without running the body, for later calls with the
   * same key (in this run, later runs, other workers): `true`, or `{ key, expires }`. The default
   * key comes from the task's name, its source and its inputs.
   */
  cache?: CacheOption;
  /** The cache key from the inputs (turns caching on): `(inputs, ctx) => string`. */
  cacheKey?: (inputs: A, ctx: CacheKeyContext) => string;
  /** How long a cached value stays valid: "1h", "7d", or seconds (default: until cleared). */
  expires?: string | number;
}

/** A task: callable like the function it wraps, with `submit` and `map`. */
export type Task<A extends unknown[], R> = ((...args: A) => Promise<R>) & {
  readonly orchTask: TaskOptions<A>;
  /** Start a task run and return its future at once (await it, or its `.result()`). */
  submit(...args: A): TaskFuture<R>;
  /**
   * A task run per item (the item is the task's first argument), at most `concurrency` at once.
   * Further arguments, as Prefect's map takes them: a list each, mapped in step with the items,
   * or `unmapped(value)`, given whole to every call. Resolves with the values in the items' order
   * once all are done; rejects with a TaskMapError that names each failed item.
   * `{ settle: true }` (Prefect's `return_state=True`) resolves with every item's outcome
   * instead, so the flow goes on past the items that failed.
   */
  map(items: Iterable<A[0]>, ...args: MapArgs<RestOf<A>>): Promise<R[]>;
  map(
    items: Iterable<A[0]>,
    ...args: [...MapArgs<RestOf<A>>, MapOptions & { settle?: false }]
  ): Promise<R[]>;
  map(
    items: Iterable<A[0]>,
    ...args: [...MapArgs<RestOf<A>>, MapOptions & { settle: true }]
  ): Promise<PromiseSettledResult<R>[]>;
};

const tasks = createReportChannel<TaskRunReport>({
  path: "/api/runs/:run/tasks",
  field: "tasks",
  key: (t) => t.id,
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A task's value as its report keeps it; outside a tracked run nothing is kept or checked. */
function keptResult(name: string, value: unknown): Partial<TaskRunReport> {
  if (!isTracked()) return {};
  const checked = checkResult(value, `task ${name}'s return value`);
  if ("problem" in checked) sdkLog.warn(`result not kept: ${checked.problem}`, { task: name });
  return resultFields(checked);
}

/** Check options when the task is defined: a mistake fails at once, naming the option. */
function checkOptions<A extends unknown[]>(options: TaskOptions<A>) {
  const where = `task "${options.name}"`;
  if (typeof options.name !== "string" || !options.name) {
    throw new TypeError(
      'task(): a task needs a name: task("load", fn) or task({ name: "load" }, fn)',
    );
  }
  const retries = options.retries ?? 0;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new TypeError(`${where}: retries must be a whole number of at least 0, not ${retries}`);
  }
  return {
    retries,
    delays: retryDelays(options.retryDelay, `${where}: retryDelay`),
    timeoutMs:
      options.timeout === undefined ? null : durationMs(options.timeout, `${where}: timeout`),
    concurrency: options.concurrency
      ? checkConcurrency(options.concurrency, `${where}: concurrency`)
      : null,
  };
}

/**
 * The names of the tasks defined in this process (task() calls), so a test harness can tell a
 * mock of a task its run did not reach from a misspelt one.
 */
export const definedTasks = new Set<string>();

/**
 * Define a task: a step of a flow, retried on failure when asked: `task("load", fn, { retries: 2 })`
 * or `task({ name: "load", retries: 2 }, fn)`. Inside a run, each call is a
 * task run that `orch runs inspect` lists with its state and attempts.
 */
export function task<A extends unknown[], R>(
  nameOrOptions: string | TaskOptions<A>,
  fn: (...args: A) => R | Promise<R>,
  more: Omit<TaskOptions<A>, "name"> = {},
): Task<A, R> {
  const options: TaskOptions<A> =
    typeof nameOrOptions === "string"
      ? { ...more, name: nameOrOptions }
      : { ...more, ...nameOrOptions };
  const { retries, delays, timeoutMs, concurrency } = checkOptions(options);
  const { name } = options;
  definedTasks.add(name);
  const tags = options.tags?.length ? [...options.tags] : undefined;
  const cache = planCache(name, fn, options);
  let source: string | undefined; // its hash, made at the first call (a flow may define many)

  const run = async (...args: A): Promise<R> => {
    source ??= sourceHash(fn);
    const report: TaskRunReport = {
      id: crypto.randomUUID(),
      name,
      state: "RUNNING",
      attempts: 0,
      started_at: isoNow(),
      ended_at: null,
      ...taskCallFields(args, source, isTracked()),
      ...(tags ? { tags } : {}),
    };
    const override = await findTaskOverride(name, args, source);
    if (override && "value" in override) {
      // A value from elsewhere (a previous attempt, a recording): the body does not run.
      const value = override.value as R;
      tasks.send({
        ...report,
        state: "COMPLETED",
        state_name: OVERRIDE_STATE_NAMES[override.reason],
        ended_at: isoNow(),
        ...keptResult(name, value),
      });
      return value;
    }
    const body = override ? (override.body as (...args: A) => R | Promise<R>) : fn;
    const attempts = async (): Promise<R> => {
      for (let attempt = 1; ; attempt++) {
        report.attempts = attempt;
        const abort = new AbortController();
        const release = concurrency
          ? await takeTagSlot(concurrency, `${report.id}:${attempt}`)
          : null;
        tasks.send({
          ...report,
          state: "RUNNING",
          state_name: attempt > 1 ? "Retrying" : "Running",
        });
        try {
          const context = { id: report.id, name, attempt, signal: abort.signal };
          const result = await runInTask(context, () =>
            withTimeout(name, timeoutMs, abort, async () => body(...args)),
          );
          await release?.();
          return result;
        } catch (error) {
          await release?.();
          const message = messageOf(error);
          const timedOut = error instanceof TaskTimeoutError;
          const fields = { task: name, attempt, error: message };
          // A missing secret fails the same on every attempt: waiting out the retries mends nothing.
          const unmendable = attempt <= retries && isConfigurationError(error);
          if (attempt > retries || unmendable) {
            const tries = attempt > 1 ? ` after ${attempt} attempts` : "";
            const why = unmendable
              ? " (not retried: a missing secret or variable fails every attempt)"
              : "";
            sdkLog.error(`task ${name} failed${tries}${why}: ${message}`, fields);
            tasks.send({
              ...report,
              state: "FAILED",
              state_name: timedOut ? "TimedOut" : "Failed",
              message: maskSecrets(message),
              ended_at: isoNow(),
            });
            throw error;
          }
          const delay = delays(attempt);
          sdkLog.warn(
            `task ${name} attempt ${attempt} failed: ${message}; retrying in ${formatDuration(delay)}`,
            { task: name, attempt, retry_in_ms: Math.round(delay) },
          );
          tasks.send({
            ...report,
            state: "SCHEDULED",
            state_name: "AwaitingRetry",
            message: maskSecrets(message),
          });
          if (delay > 0) await sleep(delay);
        }
      }
    };
    let value: R;
    let cached = false;
    if (cache) {
      let key: string;
      try {
        key = cache.key(args);
      } catch (error) {
        const message = messageOf(error);
        sdkLog.error(`task ${name} failed: ${message}`, { task: name, error: message });
        const failed = { ...report, state: "FAILED" as const, state_name: "Failed" };
        tasks.send({
          ...failed,
          message: maskSecrets(message),
          ended_at: isoNow(),
        });
        throw error;
      }
      ({ value, cached } = await runCached(name, key, cache.expires, attempts));
    } else {
      value = await attempts();
    }
    tasks.send({
      ...report,
      state: "COMPLETED",
      ended_at: isoNow(),
      ...(override ? { state_name: OVERRIDE_STATE_NAMES[override.reason] } : {}),
      ...(cached ? { cached: true, state_name: "Cached" } : {}),
      ...keptResult(name, value),
    });
    return value;
  };

  function map(
    items: Iterable<A[0]>,
    ...rest: unknown[]
  ): Promise<R[] | PromiseSettledResult<R>[]> {
    const list = [...items];
    const where = `task "${name}".map()`;
    let parsed: ReturnType<typeof mapArgs>;
    try {
      parsed = mapArgs(rest, list.length, where);
    } catch (error) {
      return Promise.reject(error);
    }
    const { options: mapOptions, args } = parsed;
    const call = (item: A[0], index: number) => run(...([item, ...args(index)] as unknown as A));
    return mapSettled(list, call, mapOptions, where).then((settled) =>
      mapOptions.settle ? settled : valuesOrThrow(name, list, settled),
    );
  }

  return Object.assign(run, {
    orchTask: options,
    submit: (...args: A) => TaskFuture.from(run(...args)),
    map: map as Task<A, R>["map"],
  });
}
