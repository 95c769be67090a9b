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
export type Flow<P, R> = ((params: P) => Promise<R>) & { readonly orchFlow: FlowOptions };

/** Define a flow. */
export function flow<P extends object, R>(
  nameOrOptions: string | FlowOptions,
  fn: (params: P) => R | Promise<R>,
): Flow<P, R> {
  const options = typeof nameOrOptions === "string" ? { name: nameOrOptions } : nameOrOptions;
  const run = async (params: P) => fn(params);
  return Object.assign(run, { orchFlow: options });
}

/** True when a value was made by `flow()`. */
export function isFlow(value: unknown): value is Flow<object, unknown> {
  return typeof value === "function" && "orchFlow" in value;
}
