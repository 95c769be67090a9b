/**
 * A deployment as validated from its definition (the spec each version keeps), with its parts:
 * schedules, concurrency and retention.
 */
import { OBJECT, STRINGS } from "./schema.ts";
import { TRIGGER_SPEC } from "./triggers.ts";

/** What a schedule does with the runs it missed while orch was down (`catchup:`). */
export const CATCHUP_POLICIES = ["latest", "all", "none"] as const;

/** What a run over its deployment's concurrency limit does (`collision:`). */
export const COLLISION_STRATEGIES = ["enqueue", "cancel-new"] as const;

/** One schedule: exactly one of cron, interval_ms or rrule. */
export const SCHEDULE_SPEC = {
  title: "Schedule",
  type: "object",
  additionalProperties: false,
  required: ["timezone", "parameters", "active", "catchup"],
  properties: {
    cron: { type: "string" },
    interval_ms: { type: "integer", minimum: 1 },
    anchor: {
      type: "string",
      description:
        "ISO time intervals count from (default: the epoch, so slots are stable across restarts)",
    },
    rrule: { type: "string" },
    timezone: { type: "string" },
    parameters: OBJECT,
    active: { type: "boolean" },
    catchup: { type: "string", enum: CATCHUP_POLICIES },
    wake: { type: "boolean", description: "Wake the machine for its runs (orch wake-unit)" },
  },
} as const;

/** A deployment's concurrency limit and what a run over it does. */
export const CONCURRENCY_SPEC = {
  title: "Concurrency",
  type: "object",
  additionalProperties: false,
  required: ["limit", "collision"],
  properties: {
    limit: { type: "integer", minimum: 1 },
    collision: { type: "string", enum: COLLISION_STRATEGIES },
  },
} as const;

/** How much of something retention keeps: what ended within a time, or the newest so many. */
const RETENTION_KEEP = {
  anyOf: [
    {
      type: "object",
      additionalProperties: false,
      required: ["max_age_ms"],
      properties: { max_age_ms: { type: "integer", minimum: 1 } },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["count"],
      properties: { count: { type: "integer", minimum: 1 } },
    },
  ],
} as const;

/** What retention keeps of finished runs, of their log lines, and of events (the project's only). */
export const RETENTION_SPEC = {
  type: "object",
  additionalProperties: false,
  properties: { runs: RETENTION_KEEP, logs: RETENTION_KEEP, events: RETENTION_KEEP },
} as const;

/**
 * A deployment as validated from its definition: what the store keeps for each version, and
 * what the scheduler and the worker read. Paths are relative to the bundle root (the folder that
 * holds the definition file); durations are milliseconds.
 */
export const DEPLOYMENT_SPEC = {
  title: "DeploymentSpec",
  type: "object",
  additionalProperties: false,
  required: [
    "name",
    "description",
    "tags",
    "parameters",
    "schedules",
    "triggers",
    "retries",
    "retry_delay_ms",
    "timeout_ms",
    "concurrency",
    "work_pool",
    "work_queue",
    "env",
    "cwd",
  ],
  properties: {
    name: { type: "string" },
    description: { type: "string" },
    flow: {
      type: "object",
      description: "A TypeScript flow: its file and export (`default` unless `./etl.ts:named`)",
      additionalProperties: false,
      required: ["path", "export"],
      properties: { path: { type: "string" }, export: { type: "string" } },
    },
    command: {
      ...STRINGS,
      description: "A command flow: argv, `{{ parameters.x }}` substituted at run time",
    },
    tags: STRINGS,
    parameters: OBJECT,
    parameter_schema: OBJECT,
    schedules: { type: "array", items: SCHEDULE_SPEC },
    triggers: { type: "array", items: TRIGGER_SPEC },
    retries: { type: "integer", minimum: 0 },
    retry_delay_ms: { type: "integer", minimum: 0 },
    retry_delays_ms: {
      type: "array",
      items: { type: "integer", minimum: 0 },
      minItems: 2,
      description:
        "A wait per retry (the last repeats), when retry_delay is a list; retry_delay_ms is its first",
    },
    timeout_ms: { type: ["integer", "null"] },
    concurrency: { anyOf: [CONCURRENCY_SPEC, { type: "null" }] },
    work_pool: { type: "string" },
    work_queue: { type: "string" },
    env: { type: "object", additionalProperties: { type: "string" } },
    cwd: {
      type: "string",
      description: 'The working directory, relative to the bundle root ("." when not given)',
    },
    retention: RETENTION_SPEC,
    include: {
      ...STRINGS,
      description:
        "Globs of the files its runs use (beside a flow's imports), relative to its folder",
    },
    run_name: {
      type: "string",
      description: 'A template for its runs\' names: "etl-{{ parameters.day }}"',
    },
    secrets: {
      ...STRINGS,
      description: "The secrets its runs receive: named in the definition or in the flow's code",
    },
    variables: {
      ...STRINGS,
      description: "The variables its runs receive: named in the definition or in the flow's code",
    },
    action_secrets: {
      ...STRINGS,
      description:
        "The secrets its notify: and its triggers' actions name: the server reads them when an action runs; no run receives them",
    },
    action_variables: {
      ...STRINGS,
      description:
        "The variables its notify: and its triggers' actions name: the server reads them when an action runs; no run receives them",
    },
    job_variables: {
      ...OBJECT,
      description: "Over its pool's job template: image, env, volumes, cpus, memory...",
    },
  },
} as const;
