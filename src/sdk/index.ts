/**
 * The SDK that flow authors import as "orch": `flow()` marks a function as a flow, `task()` a
 * step inside one. Inside the orch executable this module is what `import ... from "orch"` gets.
 * Each concept lives in its own file; this one only names what the SDK exports.
 */

export { type Artifact, createArtifact } from "./artifacts.ts";
export type { CacheKeyContext, CacheOption } from "./cache.ts";
export { type Flow, type FlowOptions, flow, isFlow } from "./flow.ts";
export { getRunLogger, type LogFields, type RunLogger } from "./logger.ts";
export { type MapArgs, Unmapped, unmapped } from "./map-args.ts";
export type { ParameterSchema, StandardSchemaLike } from "./parameters.ts";
export { type PauseOptions, pause } from "./pause.ts";
export {
  type Duration,
  type ExponentialBackoff,
  exponential,
  type RetryDelay,
} from "./retry-policy.ts";
export { getRunContext, type RunContext } from "./run-context.ts";
export { getScheduledAt } from "./scheduled-at.ts";
export { getSecret, getVariable } from "./secrets.ts";
export type { TagConcurrency } from "./tag-slots.ts";
export { type Task, type TaskOptions, task } from "./task.ts";
export { getTaskContext, type TaskContext } from "./task-context.ts";
export {
  type FutureState,
  type MapFailure,
  type MapOptions,
  TaskFuture,
  TaskMapError,
} from "./task-future.ts";
export { TaskTimeoutError } from "./task-timeout.ts";
