// Types of the "orch" module for editors: inside orch, `import { flow, task } from "orch"`
// resolves to its SDK. Written by orch init from the SDK's source; orch --help tells more.

declare module "orch" {
  /**
   * The SDK that flow authors import as "orch": `flow()` marks a function as a flow, `task()` a
   * step inside one. Inside the orch executable this module is what `import ... from "orch"` gets.
   * Each concept lives in its own file; this one only names what the SDK exports.
   */
  export { type Flow, type FlowOptions, flow, isFlow } from "orch/internal/sdk/flow";
  export { getScheduledAt } from "orch/internal/sdk/scheduled-at";
  export { getSecret, getVariable } from "orch/internal/sdk/secrets";
  export { type Task, type TaskOptions, task } from "orch/internal/sdk/task";
}

declare module "orch/internal/sdk/flow" {
  /**
   * `flow()`: marks an async function as a flow, the unit orch deploys, schedules and tracks.
   */
  /** Options of a flow. */
  export interface FlowOptions {
    name: string;
    description?: string;
    /** A JSON Schema for the flow's parameters. */
    parameters?: Record<string, unknown>;
  }
  /** A flow: callable like the function it wraps, with its options attached. */
  export type Flow<P, R> = ((params: P) => Promise<R>) & {
    readonly orchFlow: FlowOptions;
  };
  /** Define a flow. */
  export function flow<P extends object, R>(
    nameOrOptions: string | FlowOptions,
    fn: (params: P) => R | Promise<R>,
  ): Flow<P, R>;
  /** True when a value was made by `flow()`. */
  export function isFlow(value: unknown): value is Flow<object, unknown>;
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

declare module "orch/internal/sdk/task" {
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
    more?: Omit<TaskOptions, "name">,
  ): Task<A, R>;
}
