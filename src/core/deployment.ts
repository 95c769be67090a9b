/**
 * A deployment as validated from its definition: what the store keeps for each version, and
 * what the scheduler and the worker read. Paths are relative to the bundle root (the folder that
 * holds the definition file); durations are milliseconds.
 */
export interface DeploymentSpec {
  name: string;
  description: string;
  /** A TypeScript flow: its file and export (`default` unless `./etl.ts:named`). */
  flow?: { path: string; export: string };
  /** A command flow: argv, `{{ parameters.x }}` substituted at run time. */
  command?: string[];
  tags: string[];
  parameters: Record<string, unknown>;
  parameter_schema?: Record<string, unknown>;
  schedules: ScheduleSpec[];
  triggers: TriggerSpec[];
  retries: number;
  retry_delay_ms: number;
  timeout_ms: number | null;
  concurrency: ConcurrencySpec | null;
  work_pool: string;
  work_queue: string;
  env: Record<string, string>;
  /** The working directory, relative to the bundle root ("." when not given). */
  cwd: string;
}

export const CATCHUP_POLICIES = ["latest", "all", "none"] as const;
export type CatchupPolicy = (typeof CATCHUP_POLICIES)[number];

/** One schedule: exactly one of cron, interval_ms or rrule. */
export interface ScheduleSpec {
  cron?: string;
  interval_ms?: number;
  /** ISO time intervals count from (default: the epoch, so slots are stable across restarts). */
  anchor?: string;
  rrule?: string;
  timezone: string;
  parameters: Record<string, unknown>;
  active: boolean;
  catchup: CatchupPolicy;
}

export interface TriggerSpec {
  on: string;
  match: Record<string, string>;
  parameters: Record<string, unknown>;
}

export const COLLISION_STRATEGIES = ["enqueue", "cancel-new"] as const;
export type CollisionStrategy = (typeof COLLISION_STRATEGIES)[number];

export interface ConcurrencySpec {
  limit: number;
  collision: CollisionStrategy;
}

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

/** A work pool as a definition file sets it: its limit and its queues' priorities and limits. */
export interface WorkPoolSpec {
  name: string;
  concurrency: number | null;
  queues: { name: string; priority: number; concurrency: number | null }[];
}
