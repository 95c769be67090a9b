import type {
  CATCHUP_POLICIES,
  COLLISION_STRATEGIES,
  CONCURRENCY_SPEC,
  DEPLOYMENT_SPEC,
  RETENTION_SPEC,
  SCHEDULE_SPEC,
} from "./wire/deployment-specs.ts";
import type { PoolType } from "./wire/pools.ts";
import type { Wire } from "./wire/schema.ts";
import type { TRIGGER_SPEC } from "./wire/triggers.ts";

/**
 * A deployment as validated from its definition: what the store keeps for each version, and
 * what the scheduler and the worker read. Declared once, as the wire schema DEPLOYMENT_SPEC.
 */
export type DeploymentSpec = Wire<typeof DEPLOYMENT_SPEC>;

/** What a schedule does with the runs it missed while orch was down. */
export type CatchupPolicy = (typeof CATCHUP_POLICIES)[number];

/** One schedule: exactly one of cron, interval_ms or rrule. */
export type ScheduleSpec = Wire<typeof SCHEDULE_SPEC>;

/** A trigger: runs the deployment when an event matches. */
export type TriggerSpec = Wire<typeof TRIGGER_SPEC>;

/** What a run over its deployment's concurrency limit does. */
export type CollisionStrategy = (typeof COLLISION_STRATEGIES)[number];

/** A deployment's concurrency limit and what a run over it does. */
export type ConcurrencySpec = Wire<typeof CONCURRENCY_SPEC>;

/** What retention keeps (`retention:` of a project or a deployment). */
export type RetentionSpec = Wire<typeof RETENTION_SPEC>;
/** One kind's keep: `{ max_age_ms }` (what ended within it) or `{ count }` (the newest so many). */
export type RetentionKeep = NonNullable<RetentionSpec["runs"]>;

/** A spec with the defaults a definition file leaves out (for specs made in code). */
export function specWithDefaults(spec: Partial<DeploymentSpec> & { name: string }): DeploymentSpec {
  return {
    description: "",
    tags: [],
    parameters: {},
    schedules: [],
    triggers: [],
    retries: 0,
    retry_delay_ms: 0,
    timeout_ms: null,
    concurrency: null,
    work_pool: "default",
    work_queue: "default",
    env: {},
    cwd: ".",
    ...spec,
  };
}

/**
 * A work pool as a definition file sets it: how its runs execute (`type`) and the job template
 * they start from, its limit and its queues' priorities and limits.
 */
export interface WorkPoolSpec {
  name: string;
  type: PoolType;
  /** The job template as written (validated; volumes' host paths made absolute), or null. */
  job: Record<string, unknown> | null;
  concurrency: number | null;
  queues: { name: string; priority: number; concurrency: number | null }[];
  /** `embedded_worker: true`: `orch up` runs the pool's jobs itself. */
  embedded: boolean;
}

/**
 * What a TypeScript flow declares in code (`flow({ ... })`), read at deploy time: the
 * deployment's defaults for what its definition leaves out.
 */
export interface FlowMetadata {
  name?: string;
  description?: string;
  tags?: string[];
  retries?: number;
  retry_delay_ms?: number;
  timeout_ms?: number;
  parameter_schema?: Record<string, unknown>;
}

/**
 * The event a trigger acts on, in a few words: its `on`, or for a join (after events alone,
 * no `on`) what it waits for: `all of extract.done, load.done`.
 */
export function triggerOn(trigger: Pick<TriggerSpec, "on" | "after">): string {
  if (trigger.on !== undefined) return trigger.on;
  const names = trigger.after?.events.map((e) => e.on) ?? [];
  return `${trigger.after?.mode ?? "all"} of ${names.join(", ")}`;
}

/**
 * Whether a definition whose files hash to `hash` makes a new version of a deployment: not when
 * its active version has that hash, nor when it was rolled back while its files hashed to it
 * (`rolledBackFrom`: the same files keep the rollback). A deploy decides by it, and so does
 * `orch deploy --check` in saying what a deploy would do.
 */
export function makesNewVersion(
  active: { hash: string; rolledBackFrom: string | null },
  hash: string,
): boolean {
  return active.hash !== hash && active.rolledBackFrom !== hash;
}
