// Types of the "orch" module for editors: inside orch, `import { flow, task } from "orch"`
// resolves to its SDK. Written by orch init from the SDK's source; orch --help tells more.

declare module "orch" {
  /**
   * The SDK that flow authors import as "orch": `flow()` marks a function as a flow, `task()` a
   * step inside one. Inside the orch executable this module is what `import ... from "orch"` gets.
   * Each concept lives in its own file; this one only names what the SDK exports.
   */
  export { type Artifact, createArtifact } from "orch/internal/sdk/artifacts";
  export type { CacheKeyContext, CacheOption } from "orch/internal/sdk/cache";
  export { type Flow, type FlowOptions, flow, isFlow } from "orch/internal/sdk/flow";
  export { getRunLogger, type LogFields, type RunLogger } from "orch/internal/sdk/logger";
  export type { ParameterSchema, StandardSchemaLike } from "orch/internal/sdk/parameters";
  export { type PauseOptions, pause } from "orch/internal/sdk/pause";
  export {
    type Duration,
    type ExponentialBackoff,
    exponential,
    type RetryDelay,
  } from "orch/internal/sdk/retry-policy";
  export { getRunContext, type RunContext } from "orch/internal/sdk/run-context";
  export { getScheduledAt } from "orch/internal/sdk/scheduled-at";
  export { getSecret, getVariable } from "orch/internal/sdk/secrets";
  export type { TagConcurrency } from "orch/internal/sdk/tag-slots";
  export { type Task, type TaskOptions, TaskTimeoutError, task } from "orch/internal/sdk/task";
  export { getTaskContext, type TaskContext } from "orch/internal/sdk/task-context";
  export {
    type FutureState,
    type MapFailure,
    type MapOptions,
    TaskFuture,
    TaskMapError,
  } from "orch/internal/sdk/task-future";
}

declare module "orch/internal/sdk/artifacts" {
  /** An artifact: a key, a type and its data (markdown text, a URL, or rows). */
  export type Artifact = {
    key: string;
    description?: string;
  } & (
    | {
        type: "markdown";
        data: string;
      }
    | {
        type: "link";
        data: string;
      }
    | {
        type: "table";
        data: Record<string, unknown>[] | unknown[][];
      }
  );
  /**
   * Attach an artifact to the run. Bad data throws at once (it is the flow's mistake); a server
   * that does not take it is told on stderr, and the flow goes on. Outside a tracked run it does
   * nothing.
   */
  export function createArtifact(artifact: Artifact): Promise<void>;
}

declare module "orch/internal/sdk/cache" {
  /** What `cacheKey` gets besides the inputs. */
  export interface CacheKeyContext {
    /** The task's name. */
    task: string;
    /** The run calling it (null outside a tracked run). */
    runId: string | null;
    /** The flow run's parameters. */
    parameters: Record<string, unknown>;
  }
  /** The `cache` option of a task: on, or on with a fixed key or an expiry. */
  export type CacheOption =
    | boolean
    | {
        /** A fixed key (default: from the task's name, its source and its inputs). */
        key?: string;
        /** How long a value stays valid: "1h", "7d", or seconds (default: until cleared). */
        expires?: string | number;
      };
  /** How a task caches: its key maker and expiry, as checked when the task was defined. */
  export interface CachePlan {
    key: (args: unknown[]) => string;
    expires: string | number | null;
  }
  /**
   * The cache plan of a task from its options, or null when it does not cache; a bad option is a
   * thrown error that names the task.
   */
  export function planCache(
    name: string,
    fn: (...args: never[]) => unknown,
    options: {
      cache?: CacheOption;
      cacheKey?: (inputs: never, ctx: CacheKeyContext) => string;
      expires?: string | number;
    },
  ): CachePlan | null;
  /**
   * The value of a cached call: the kept one (`cached: true`, the body not run), or the body's,
   * which is then kept. A value that cannot be kept is returned all the same, with a warning.
   */
  export function runCached<R>(
    task: string,
    key: string,
    expires: CachePlan["expires"],
    body: () => Promise<R>,
  ): Promise<{
    value: R;
    cached: boolean;
  }>;
}

declare module "orch/internal/sdk/flow" {
  /**
   * `flow()`: marks an async function as a flow, the unit orch deploys, schedules and tracks.
   * Called inside another flow's run, a flow is a subflow: a run of its own (see subflow.ts).
   */
  import type { ParameterSchema } from "orch/internal/sdk/parameters";
  import { type Duration } from "orch/internal/sdk/retry-policy";
  /** Options of a flow. A deployment's own values (retries, timeout, …) override these. */
  export interface FlowOptions {
    name: string;
    description?: string;
    /** Times to run the flow again after it fails. */
    retries?: number;
    /** Wait before each retry. */
    retryDelay?: Duration;
    /** A run taking longer fails as TimedOut. */
    timeout?: Duration;
    tags?: string[];
    /**
     * The flow's parameters: a JSON Schema, or a Standard Schema (Zod 4, …) that can say its JSON
     * Schema. orch checks triggers against it; `additionalProperties: false` refuses unknown ones.
     */
    parameters?: ParameterSchema;
  }
  /** A flow: callable like the function it wraps, with its options attached. */
  export type Flow<P, R> = ((params: P) => Promise<R>) & {
    readonly orchFlow: FlowOptions;
  };
  /**
   * Define a flow: `flow("etl", fn)`, `flow({ name: "etl", retries: 2, timeout: "10m" }, fn)`, or
   * `flow("etl", fn, { retries: 2 })`.
   */
  export function flow<P extends object, R>(
    nameOrOptions: string | FlowOptions,
    fn: (params: P) => R | Promise<R>,
    more?: Omit<FlowOptions, "name">,
  ): Flow<P, R>;
  /** True when a value was made by `flow()`. */
  export function isFlow(value: unknown): value is Flow<object, unknown>;
  /** Call a flow's own function, as the run it is (not as a subflow). */
  export function callFlowBody(made: Flow<object, unknown>, params: object): Promise<unknown>;
  /** A flow option's duration in milliseconds (null when not set); throws when it is not one. */
  export function durationMs(
    made: Flow<object, unknown>,
    key: "retryDelay" | "timeout",
  ): number | null;
}

declare module "orch/internal/sdk/parameters" {
  /**
   * A flow's declared parameters (and a pause's input): a JSON Schema object, or a Standard Schema
   * (Zod 4, Valibot, ArkType, …) that can say its JSON Schema. orch reads the JSON Schema at
   * deploy time to check triggers; inside the run, a Standard Schema also validates (and may
   * transform) the values the flow gets.
   */
  /** One problem of a Standard Schema's validation. */
  interface StandardIssue {
    readonly message: string;
    readonly path?: ReadonlyArray<
      | PropertyKey
      | {
          readonly key: PropertyKey;
        }
    >;
  }
  /** The part of a Standard Schema (and Standard JSON Schema) object orch uses. */
  export interface StandardSchemaLike {
    readonly "~standard": {
      readonly version: 1;
      readonly vendor: string;
      readonly validate?: (value: unknown) =>
        | {
            value: unknown;
            issues?: undefined;
          }
        | {
            issues: ReadonlyArray<StandardIssue>;
          }
        | Promise<
            | {
                value: unknown;
                issues?: undefined;
              }
            | {
                issues: ReadonlyArray<StandardIssue>;
              }
          >;
      readonly jsonSchema?: {
        readonly input: (options: { target: string }) => Record<string, unknown>;
      };
    };
  }
  /** Parameters (or a pause's input) as a flow declares them. */
  export type ParameterSchema = Record<string, unknown> | StandardSchemaLike;
  /**
   * The JSON Schema of a declared schema: itself when it is one; a Standard Schema's own
   * (`~standard.jsonSchema`, or a `toJSONSchema()` method); null when it cannot say one.
   */
  export function toJsonSchema(schema: ParameterSchema | undefined): Record<string, unknown> | null;
  /**
   * Check `value` against a declared schema; resolves with the value the flow gets (a Standard
   * Schema may transform it). Throws an Error that names each problem and where it is. A JSON
   * Schema is checked with orch's validator, loaded only when a flow declares one.
   */
  export function checkAgainst(
    schema: ParameterSchema | undefined,
    value: Record<string, unknown>,
    what: "parameters" | "input",
  ): Promise<Record<string, unknown>>;
}

declare module "orch/internal/sdk/retry-policy" {
  /** A duration: text like `"500ms"`, `"2s"`, `"1m"`, or a number of seconds. */
  export type Duration = string | number;
  /** Delays that grow: `base`, then twice as long at each retry, up to `max`. */
  export interface ExponentialBackoff {
    readonly kind: "exponential";
    readonly baseMs: number;
    readonly maxMs: number;
    /** Up to this fraction of each delay is added at random (0 to 1), so retries spread out. */
    readonly jitter: number;
  }
  /** A task's retryDelay option. */
  export type RetryDelay = Duration | readonly Duration[] | ExponentialBackoff;
  /** Milliseconds of a duration, or an error that names the option and says what is expected. */
  export function durationMs(value: Duration, where: string): number;
  /**
   * Retry delays that double each time: `exponential("1s")` waits 1s, 2s, 4s, …;
   * `{ max: "30s" }` caps each delay, `{ jitter: 0.2 }` adds up to 20% of it at random.
   */
  export function exponential(
    base: Duration,
    options?: {
      max?: Duration;
      jitter?: number;
    },
  ): ExponentialBackoff;
  /** A checked retryDelay: the wait before retry number `n` (1 for the first retry). */
  export type RetryDelays = (n: number) => number;
  /** Check a retryDelay option once; `where` names it in errors (`task "load": retryDelay`). */
  export function retryDelays(delay: RetryDelay | undefined, where: string): RetryDelays;
}

declare module "orch/internal/sdk/logger" {
  /** Structured fields of a log line: JSON values by name. */
  export type LogFields = Record<string, unknown>;
  /** A logger of the current run. */
  export interface RunLogger {
    debug(message: string, fields?: LogFields): void;
    info(message: string, fields?: LogFields): void;
    warn(message: string, fields?: LogFields): void;
    error(message: string, fields?: LogFields): void;
    /** A logger that adds `fields` to each of its lines. */
    child(fields: LogFields): RunLogger;
  }
  /**
   * Write whole lines to stdout or stderr through the console as it was before the run patched it:
   * synchronous, and without node's stream objects, whose first touch costs a flow ~20 ms.
   */
  export function writeLines(stream: "stdout" | "stderr", lines: string): void;
  /**
   * The logger of the current run: levels debug, info, warn and error, each with optional
   * structured fields; `orch runs logs ID --level warn` shows warn and error lines only.
   */
  export function getRunLogger(fields?: LogFields): RunLogger;
  /** The SDK's own log lines (task retries and failures). */
  export const sdkLog: RunLogger;
  /**
   * Lines that code of a run recorded inside this process prints with console.* are that run's
   * log lines (as a worker's run's output is); everything else prints as before. Installed once.
   */
  export function captureConsole(): void;
  /**
   * Inside a run (the flow-run entry): lines become records, and console.* writes them too, each
   * with its level. A plain console.log or console.error outside a task stays a plain line (the
   * stream gives its level), so a flow's output reads the same as before.
   */
  export function logAsRecords(): void;
}

declare module "orch/internal/sdk/pause" {
  import { type ParameterSchema } from "orch/internal/sdk/parameters";
  import { type Duration } from "orch/internal/sdk/retry-policy";
  /**
   * Thrown by `pause()` in a run recorded inside this process (a test's): the process cannot end
   * there, so the run's code stops by unwinding to its start, which records the run PAUSED.
   */
  export class FlowPaused extends Error {
    readonly key: string;
    constructor(key: string);
  }
  /** Options of a pause. */
  export interface PauseOptions {
    /** Fail the run unless it is resumed within this long (default: wait for ever). */
    timeout?: Duration;
    /** The input to ask for: a JSON Schema or a Standard Schema. */
    input?: ParameterSchema;
    /** Names the pause (default: pause-1, pause-2, … in the order the flow meets them). */
    key?: string;
  }
  /**
   * Pause the flow run until it is resumed; resolves with the input it was resumed with. The
   * process exits meanwhile (no slot is held) and the run starts again from the top once resumed.
   */
  export function pause<T extends Record<string, unknown> = Record<string, unknown>>(
    options?: PauseOptions,
  ): Promise<T>;
}

declare module "orch/internal/sdk/run-context" {
  /**
   * What a flow's process knows about the run it is: its id, the API that tracks it and the token
   * to call it with, all from the environment the worker started it with (see the process
   * contract). Outside a run (a flow called from a test or a script) there is no run and no API.
   */
  /** The run this process executes, as the worker described it. */
  export interface RunContext {
    /** The flow run's id; null outside a run. */
    runId: string | null;
    /** The deployment's name; null for an ad-hoc run or outside a run. */
    deployment: string | null;
    /** Which attempt of the run this is (1 for the first). */
    attempt: number;
    /** The API's base URL (no trailing slash); null when the run is not tracked by a server. */
    apiUrl: string | null;
  }
  /**
   * The current run: the one this code records into (a test's run, a flow called from a program),
   * else the process's, read from the environment each time (so a test can set it).
   */
  export function getRunContext(): RunContext;
  /** Whether this process runs a tracked run: one with a run id and an API to report to. */
  export function isTracked(): boolean;
  /** An API call of the flow's process that did not succeed. */
  export class RunApiError extends Error {
    readonly status: number | null;
    constructor(message: string, status: number | null);
  }
  /**
   * Call orch's API from inside a run, with the run's token: `path` starts with /api/ and may
   * name the run as `:run` (`/api/runs/:run/tasks`); `options.json` is a body already serialised
   * (sent as it is, in place of `body`). Resolves with the parsed JSON answer; throws
   * RunApiError when the run is not tracked, the server cannot be reached, or it answers 4xx/5xx.
   */
  export function callRunApi<T>(
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    body?: unknown,
    options?: {
      timeoutMs?: number;
      json?: string;
    },
  ): Promise<T>;
  /**
   * One call of orch's API at `apiUrl` with `token`: the parsed JSON answer, or a RunApiError that
   * says what was wrong (the server's problems and where), or that it did not answer.
   */
  export function requestApi<T>(
    apiUrl: string,
    token: string,
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    json: string | undefined,
    options?: {
      timeoutMs?: number;
    },
  ): Promise<T>;
}

declare module "orch/internal/sdk/scheduled-at" {
  /**
   * The time the current run is for: its schedule slot, or a backfill's slot (ORCH_SCHEDULED_AT).
   * A flow that loads "yesterday's data" should read the day from here, not from the clock, so a
   * backfilled or caught-up run works on its own slot's data. Null outside a run of orch.
   */
  export function getScheduledAt(): Date | null;
}

declare module "orch/internal/sdk/secrets" {
  /**
   * The value of secret `name`. A run receives the secrets its deployment names: in its
   * definition (`{{ secrets.name }}`) or here, as a literal (`getSecret("db_password")`), which
   * orch reads from the flow's files when it deploys. Whatever prints it, orch stores `****`.
   */
  export function getSecret(name: string): string;
  /**
   * The value of variable `name`, given to the run as secrets are (see getSecret); `fallback`
   * when it was not.
   */
  export function getVariable(name: string, fallback?: string): string;
}

declare module "orch/internal/sdk/tag-slots" {
  /** A tag's concurrency limit. */
  export interface TagConcurrency {
    tag: string;
    limit: number;
  }
  /** Check a concurrency option when the task is defined. */
  export function checkConcurrency(value: TagConcurrency, where: string): TagConcurrency;
  /**
   * Wait for a slot of `tag` (at most `limit` held at once); resolves with the function that gives
   * it back. `holder` names the attempt that holds it (unique in the run).
   */
  export function takeTagSlot(
    { tag, limit }: TagConcurrency,
    holder: string,
  ): Promise<() => Promise<void>>;
}

declare module "orch/internal/sdk/task" {
  import { type CacheKeyContext, type CacheOption } from "orch/internal/sdk/cache";
  import { type Duration, type RetryDelay } from "orch/internal/sdk/retry-policy";
  import { type TagConcurrency } from "orch/internal/sdk/tag-slots";
  import { type MapOptions, TaskFuture } from "orch/internal/sdk/task-future";
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
     * Resolves with the values in the items' order once all are done; rejects with a TaskMapError
     * that names each failed item. `{ settle: true }` resolves with every item's outcome instead.
     */
    map(
      items: Iterable<A[0]>,
      options?: MapOptions & {
        settle?: false;
      },
    ): Promise<R[]>;
    map(
      items: Iterable<A[0]>,
      options: MapOptions & {
        settle: true;
      },
    ): Promise<PromiseSettledResult<R>[]>;
  };
  /** An attempt that ran past the task's timeout. */
  export class TaskTimeoutError extends Error {
    constructor(task: string, ms: number);
  }
  /** One task run's state, as POST /api/runs/:id/tasks takes it. */
  export interface TaskReport {
    id: string;
    name: string;
    state: string;
    state_name?: string;
    message?: string;
    tags?: string[];
    attempts: number;
    started_at: string | null;
    ended_at: string | null;
    /** Its value came from the cache. */
    cached?: boolean;
    /** Its return value (once it completed), or why it was not kept. */
    result?: unknown;
    result_problem?: string;
    /** The attempt of the flow run it belongs to. */
    run_attempt?: number;
    /** The hash of its inputs (absent when they are not JSON). */
    inputs_hash?: string;
  }
  /**
   * Define a task: a step of a flow, retried on failure when asked: `task("load", fn, { retries: 2 })`
   * or `task({ name: "load", retries: 2 }, fn)`. Inside a run, each call is a
   * task run that `orch runs inspect` lists with its state and attempts.
   */
  export function task<A extends unknown[], R>(
    nameOrOptions: string | TaskOptions<A>,
    fn: (...args: A) => R | Promise<R>,
    more?: Omit<TaskOptions<A>, "name">,
  ): Task<A, R>;
}

declare module "orch/internal/sdk/task-future" {
  /**
   * What `task.submit()` and `task.map()` give back: a future (a Promise that also says its state
   * and has `.result()`), and a map that runs items with a concurrency limit and collects failures.
   */
  /** Where a future is. */
  export type FutureState = "pending" | "completed" | "failed";
  /**
   * A task run started with `task.submit()`: await it (or `.result()`) for its value. A failed
   * future that is never awaited does not crash the flow; its task run is FAILED in the run's
   * task list and its error is in the logs.
   */
  export class TaskFuture<R> extends Promise<R> {
    static get [Symbol.species](): PromiseConstructor;
    /** pending, completed or failed. */
    get state(): FutureState;
    /** The task's value (rejects with its error). */
    result(): Promise<R>;
    /** A future that settles as `promise` does. */
    static from<R>(promise: Promise<R>): TaskFuture<R>;
  }
  /** One item of a map that failed. */
  export interface MapFailure {
    index: number;
    item: unknown;
    error: unknown;
  }
  /** A map whose items failed: `failures` says which (index, item, error); `errors` as usual. */
  export class TaskMapError extends AggregateError {
    readonly failures: MapFailure[];
    constructor(task: string, total: number, failures: MapFailure[]);
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
  export function mapSettled<T, R>(
    items: Iterable<T>,
    call: (item: T, index: number) => Promise<R>,
    options: MapOptions,
    where: string,
  ): Promise<PromiseSettledResult<R>[]>;
  /** The values of a settled map, or a TaskMapError that names each failed item. */
  export function valuesOrThrow<T, R>(
    task: string,
    items: readonly T[],
    settled: PromiseSettledResult<R>[],
  ): R[];
}

declare module "orch/internal/sdk/task-context" {
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
  /** The task run the caller runs in, or undefined outside a task. */
  export function getTaskContext(): TaskContext | undefined;
  /** Run `fn` as (an attempt of) the task run `context`. */
  export function runInTask<R>(context: TaskContext, fn: () => R): R;
}

declare module "orch/testing" {
  import { type Flow } from "orch/internal/sdk/flow";
  import { type TestRun } from "orch/internal/sdk/memory-runs";
  /** A task's stand-in: called with the task's inputs, its value is the task's (or what it throws). */
  export type TaskMock = (...inputs: never[]) => unknown;
  /** Options of testFlow. */
  export interface TestFlowOptions<P> {
    /** The run's parameters (checked against the flow's declared schema, as under orch). */
    parameters?: P;
    /**
     * Tasks replaced by name: `{ "fetch-orders": () => [...] }`. A mock runs in place of the
     * task's body, with its retries and timeout; a value that is not a function is returned as is.
     */
    mocks?: Record<string, TaskMock | unknown>;
    /** "real" (default): waits take their time. "manual": time moves only with `advance()`. */
    clock?: "real" | "manual";
    /** Where a manual clock starts (default: now). */
    start?: Date | string | number;
    /** What getSecret() and getVariable() return in the run. */
    secrets?: Record<string, string>;
    variables?: Record<string, string>;
  }
  /** A flow run in a test: await it for the run once it stops (completed, failed or paused). */
  export interface FlowTest<R> extends PromiseLike<TestRun<R>> {
    /** The run as it is now. */
    readonly run: TestRun<R>;
    /** Move a manual clock forward ("1h", "30s", or ms), firing the waits that come due. */
    advance(by: string | number): Promise<void>;
    /** Resume a paused run with `input`: it starts again from the top, as under orch. */
    resume(input?: Record<string, unknown>): Promise<TestRun<R>>;
    /** The run's clock now. */
    now(): Date;
  }
  /**
   * Run `made` as orch would, recorded in memory: `const run = await testFlow(etl, { parameters })`,
   * then `run.state`, `run.result`, `run.tasks`, `run.logs`. With `clock: "manual"`, keep the test:
   * `const t = testFlow(f, { clock: "manual" }); await t.advance("1h"); const run = await t;`.
   */
  export function testFlow<P extends object, R>(
    made: Flow<P, R>,
    options?: TestFlowOptions<P>,
  ): FlowTest<R>;
  export type { TestLogLine, TestRun, TestState, TestTaskRun } from "orch/internal/sdk/memory-runs";
}

declare module "orch/internal/sdk/memory-runs" {
  import { type StateName, type StateType } from "orch/internal/core/states";
  import type { Timers } from "orch/internal/core/timers";
  import type { Artifact } from "orch/internal/sdk/artifacts";
  import type { TargetLogLine } from "orch/internal/sdk/run-target";
  /** One state a test run went through. */
  export interface TestState {
    type: StateType;
    name: string;
    at: string;
    message: string | null;
  }
  /** A task run of a test run, as `orch runs inspect` lists it. */
  export interface TestTaskRun {
    id: string;
    name: string;
    state: string;
    /** Completed, Cached, Mocked, Failed, TimedOut, AwaitingRetry, … */
    state_name: string;
    attempts: number;
    started_at: string | null;
    ended_at: string | null;
    cached: boolean;
    /** Its return value as kept (JSON), once it completed. */
    result?: unknown;
    /** Why it failed (or why its last attempt did). */
    message?: string;
    tags?: string[];
  }
  /** A log line of a test run. */
  export interface TestLogLine {
    at: string;
    level: TargetLogLine["level"];
    line: string;
    /** The task it was written in. */
    task?: string;
    fields?: Record<string, unknown>;
  }
  /** A flow run recorded by testFlow: what `orch runs inspect` would show of it. */
  export interface TestRun<R = unknown> {
    id: string;
    /** The flow's name. */
    name: string;
    parent_id: string | null;
    state: StateType;
    state_name: string;
    /** Why it is in its state (a failure's message). */
    message: string | null;
    parameters: Record<string, unknown>;
    attempt: number;
    started_at: string | null;
    ended_at: string | null;
    states: TestState[];
    /** Its return value as kept (JSON), once it completed. */
    result: R | undefined;
    /** What it failed with. */
    error: unknown;
    /** Its task runs (a subflow's included, as its caller's process reports them). */
    tasks: TestTaskRun[];
    /** Its log lines (a subflow's included); a subflow's are its own too. */
    logs: TestLogLine[];
    artifacts: (Artifact & {
      task?: string;
    })[];
    subflows: TestRun[];
    /** The pause it waits in, while PAUSED. */
    pause: {
      key: string;
      timeout_ms: number | null;
    } | null;
  }
  /** The in-memory store of one test: its runs and their task cache. */
  export interface MemoryRuns {
    /** A new run, PENDING. */
    create(name: string, parameters: Record<string, unknown>, parent: TestRun | null): TestRun;
    /** Record a state of `run`. */
    setState(run: TestRun, name: StateName, message?: string | null): void;
    /** Record a log line of the run `runId` (the target's run). */
    log(runId: string, line: TargetLogLine): void;
    /** Answer an API call of the SDK. */
    call<T>(method: string, path: string, body?: unknown): Promise<T>;
    /** The run's answer to its pause `key` (set by resume). */
    answer(run: TestRun, key: string, input: Record<string, unknown>): void;
  }
  /** The in-memory store of a test, on the test's clock. */
  export function createMemoryRuns(timers: Timers): MemoryRuns;
}

declare module "orch/internal/core/states" {
  /** The state types of a flow run, Prefect's names. Stored as-is: never rename one. */
  export const STATE_TYPES: readonly [
    "SCHEDULED",
    "PENDING",
    "RUNNING",
    "COMPLETED",
    "FAILED",
    "CRASHED",
    "CANCELLING",
    "CANCELLED",
    "PAUSED",
  ];
  export type StateType = (typeof STATE_TYPES)[number];
  /** State names: each belongs to one type (`Late` and `AwaitingRetry` are SCHEDULED, `TimedOut` is FAILED). */
  export const STATE_NAMES: {
    readonly Scheduled: "SCHEDULED";
    readonly Late: "SCHEDULED";
    readonly AwaitingRetry: "SCHEDULED";
    readonly Resuming: "SCHEDULED";
    readonly Pending: "PENDING";
    readonly Running: "RUNNING";
    readonly Retrying: "RUNNING";
    readonly Completed: "COMPLETED";
    /** A task run whose value came from the cache: its body did not run. */
    readonly Cached: "COMPLETED";
    /** A task run whose body was replaced by a test's mock (orch/testing). */
    readonly Mocked: "COMPLETED";
    /** A task run that returned its previous attempt's value for the same inputs. */
    readonly Reused: "COMPLETED";
    /** A task run that returned a value recorded in a past run (a replay). */
    readonly Recorded: "COMPLETED";
    readonly Failed: "FAILED";
    readonly TimedOut: "FAILED";
    readonly Crashed: "CRASHED";
    readonly Cancelling: "CANCELLING";
    readonly Cancelled: "CANCELLED";
    readonly Paused: "PAUSED";
  };
  export type StateName = keyof typeof STATE_NAMES;
  /** States a run never leaves on its own. */
  export const TERMINAL_TYPES: readonly StateType[];
  /**
   * States in which a run holds a worker slot or a process. Not PAUSED: a paused run's process
   * has exited (it starts again from the top once resumed), so it holds nothing while it waits.
   */
  export const ACTIVE_TYPES: readonly StateType[];
  /**
   * SCHEDULED names of a run still waiting for its first start. AwaitingRetry is SCHEDULED too, but
   * that run has already run once.
   */
  export const NOT_STARTED_NAMES: readonly StateName[];
  /** Whether a state type is final. */
  export function isTerminal(type: StateType): boolean;
  /** Whether a string is a known state type (case-insensitive input is upper-cased first). */
  export function isStateType(value: string): value is StateType;
  /** The default name of a state type: `RUNNING` -> `Running`. */
  export function defaultName(type: StateType): StateName;
  /** A state as proposed by the scheduler, a worker or a user. */
  export interface ProposedState {
    type: StateType;
    /** Defaults to the type's own name. */
    name?: StateName;
    message?: string;
  }
}

declare module "orch/internal/core/timers" {
  /**
   * Timers that can be replaced: the flow runtime waits (retry delays, timeouts) through these,
   * so a test can run an hour of waiting at once with a manual clock (orch/testing).
   */
  /** Time and timers: the real ones, or a manual clock's. */
  export interface Timers {
    /** Milliseconds since the epoch. */
    now(): number;
    /** Call `fn` once `ms` have passed; returns what cancels it. */
    setTimer(ms: number, fn: () => void): () => void;
  }
  /** The runtime's own clock and timers. */
  export const realTimers: Timers;
  /** A clock that moves only when told: `advance(ms)` fires the timers due on the way, in order. */
  export interface ManualClock extends Timers {
    /** Move the clock `ms` forward, firing each timer as its time comes, letting the code it wakes run. */
    advance(ms: number): Promise<void>;
  }
  /** A manual clock that starts at `start` (epoch milliseconds). */
  export function createManualClock(start: number): ManualClock;
}

declare module "orch/internal/sdk/run-target" {
  import type { LogLevel } from "orch/internal/core/log-record";
  import { type Timers } from "orch/internal/core/timers";
  /** One log line of a run recorded through a target. */
  export interface TargetLogLine {
    level: LogLevel;
    line: string;
    fields?: Record<string, unknown>;
    /** The subflow run it was written in, when not the target's own run. */
    subflow?: string;
  }
  /** Where a run records itself, and the clock it waits with. */
  export interface RunTarget {
    /** The run's id. */
    runId: string;
    deployment: string | null;
    /** Which attempt of the run this is (1 for the first). */
    attempt: number;
    /** The run's parameters. */
    parameters: Record<string, unknown>;
    /** The API's URL; null when the target is not reached over HTTP. */
    apiUrl: string | null;
    /** An API call of the run, `:run` already filled in: answers as the API does. */
    call<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<T>;
    /** A log line of the run. */
    log(line: TargetLogLine): void;
    /** The clock the SDK waits with (retry delays, timeouts). */
    timers: Timers;
    /** Tag slots are held in this process only (no other run shares them). */
    localSlots: boolean;
    /** The run's secrets and variables. */
    secrets: Record<string, string>;
    variables: Record<string, string>;
  }
  /** The target of the code running now, or undefined (a worker's run, or no run at all). */
  export function currentTarget(): RunTarget | undefined;
  /** Run `fn` recording into `target`. */
  export function withRunTarget<T>(target: RunTarget, fn: () => T): T;
  /** The SDK's clock: the target's, or the real one. */
  export function sdkTimers(): Timers;
  /** The SDK's time now, as ISO text. */
  export function isoNow(): string;
  /** Wait `ms` on the SDK's clock. */
  export function sleep(ms: number): Promise<void>;
}

declare module "orch/internal/core/log-record" {
  /**
   * How a flow's process marks a line of its output as a structured log record: a level, fields,
   * or the message its run fails with. The SDK writes these lines; the worker's log capture reads
   * them back. Why lines on stdout/stderr and not API calls: the output is the one channel every
   * run has (a remote worker, an ad-hoc run with no server), the worker reads it to the end before
   * it decides the final state, and records keep their order among the flow's other output.
   */
  /** Log levels, least severe first. */
  export const LOG_LEVELS: readonly ["debug", "info", "warn", "error"];
  export type LogLevel = (typeof LOG_LEVELS)[number];
  /** Whether a value is a log level. */
  export function isLogLevel(value: unknown): value is LogLevel;
  /** The levels at or above `level` (what `--level warn` shows). */
  export function levelsFrom(level: LogLevel): LogLevel[];
  /**
   * The first character of a record line: ASCII record separator, which no ordinary text line
   * starts with, then `orch` and a JSON object.
   */
  export const RECORD_MARK = "\u001Eorch";
  /**
   * The field that names the subflow run a line was written in. A subflow runs in its caller's
   * process, so its lines arrive with the caller's output; this field is how they are listed as
   * the subflow's own logs too.
   */
  export const SUBFLOW_FIELD = "subflow_run";
  /** A structured line: its level, text and fields. */
  export interface LogRecord {
    level: LogLevel;
    line: string;
    fields?: Record<string, unknown>;
  }
  /** What a record line can carry: a log record, or the message the run fails with. */
  export type OutputRecord =
    | LogRecord
    | {
        failure: string;
      };
  /** The line a flow prints for a log record (no newline; a multi-line text stays one line). */
  export function encodeLogRecord(record: LogRecord): string;
  /** The line a flow prints last when it fails: its error's message becomes the run's message. */
  export function encodeFailure(message: string): string;
  /**
   * The record a line carries, or null for a plain line (anything that does not parse as a record
   * stays the text it is).
   */
  export function decodeRecord(line: string): OutputRecord | null;
  /** Fields as `key=value` text for a terminal (strings bare, other values as JSON). */
  export function renderFields(fields: Record<string, unknown>): string;
  /** The level a plain line of a stream has: stdout info, stderr error, orch's own notes warn. */
  export function streamLevel(stream: string): LogLevel;
}
