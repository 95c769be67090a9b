/**
 * `flow()`: marks an async function as a flow, the unit orch deploys, schedules and tracks.
 * Called inside another flow's run, a flow is a subflow: a run of its own (see subflow.ts).
 */

import { currentFlowRun } from "./flow-context.ts";
import type { ParameterSchema } from "./parameters.ts";
import { type Duration, durationMs as toMs } from "./retry-policy.ts";
import { runSubflow } from "./subflow.ts";
import { callTracked } from "./track-call.ts";

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
  /**
   * What a run resumed after a `pause()` does with the tasks that completed before it:
   * `"reuse"` their results (the default: what was approved is what goes on), or `"rerun"`
   * them (the whole flow again from the top).
   */
  resume?: "reuse" | "rerun";
}

/** A flow: callable like the function it wraps, with its options attached. */
export type Flow<P, R> = ((params: P) => Promise<R>) & { readonly orchFlow: FlowOptions };

const bodies = new WeakMap<object, (params: never) => unknown>();
/** Where each flow was made: the call stack of its flow() call, read only when asked (flowFile). */
const sites = new WeakMap<object, { stack?: string }>();

/**
 * Define a flow: `flow("etl", fn)`, `flow({ name: "etl", retries: 2, timeout: "10m" }, fn)`, or
 * `flow("etl", fn, { retries: 2 })`.
 */
export function flow<P extends object, R>(
  nameOrOptions: string | FlowOptions,
  fn: (params: P) => R | Promise<R>,
  more: Omit<FlowOptions, "name"> = {},
): Flow<P, R> {
  const options: FlowOptions =
    typeof nameOrOptions === "string"
      ? { ...more, name: nameOrOptions }
      : { ...more, ...nameOrOptions };
  if (options.resume !== undefined && options.resume !== "reuse" && options.resume !== "rerun") {
    throw new TypeError(
      `flow ${options.name}: resume must be "reuse" or "rerun", not ${JSON.stringify(options.resume)}`,
    );
  }
  const made = Object.assign(
    async (params: P): Promise<R> => {
      // Inside a run, a flow called by a flow is its subflow; outside any, a run of its own
      // (tracked when orch can record it). A worker's process runs its flow through the entry,
      // never here: a flow its top-level code calls is a plain call.
      if (currentFlowRun()) return runSubflow(made as Flow<object, unknown>, params) as Promise<R>;
      if (process.env.ORCH_RUN_ID) return fn(params);
      return callTracked(made as Flow<object, unknown>, params) as Promise<R>;
    },
    { orchFlow: options },
  );
  bodies.set(made, fn as (params: never) => unknown);
  const site: { stack?: string } = {};
  Error.captureStackTrace(site, flow);
  sites.set(made, site);
  return made;
}

/**
 * The file whose code made `made` (the caller of its flow()), absolute; null when the stack does
 * not say (a flow made in a REPL or by eval). What testFlow reads the flow's value names from.
 */
export function flowFile(made: Flow<object, unknown>): string | null {
  for (const frame of (sites.get(made)?.stack ?? "").split("\n").slice(1)) {
    // "at name (/path/x.ts:3:20)", "at /path/x.ts:3:20", "at file:///path/x.ts:3:20".
    const at = /[(\s](file:\/\/)?(\/[^():?]+)(?:\?[^:]*)?:\d+:\d+\)?$/.exec(frame.trim());
    if (at) return at[1] ? decodeURIComponent(at[2]!) : at[2]!;
  }
  return null;
}

/** True when a value was made by `flow()`. */
export function isFlow(value: unknown): value is Flow<object, unknown> {
  return typeof value === "function" && "orchFlow" in value;
}

/** Call a flow's own function, as the run it is (not as a subflow). */
export function callFlowBody(made: Flow<object, unknown>, params: object): Promise<unknown> {
  const body = bodies.get(made);
  return Promise.resolve(body ? body(params as never) : made(params));
}

/** A flow option's duration in milliseconds (null when not set); throws when it is not one. */
export function durationMs(
  made: Flow<object, unknown>,
  key: "retryDelay" | "timeout",
): number | null {
  const value = made.orchFlow[key];
  return value === undefined ? null : toMs(value, `flow ${made.orchFlow.name}: ${key}`);
}
