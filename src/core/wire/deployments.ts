import { CATCHUP_POLICIES, COLLISION_STRATEGIES } from "../deployment.ts";
import { RUN } from "./runs.ts";
import {
  OBJECT,
  PROBLEM,
  STRINGS,
  TIME,
  TIME_OR_NULL,
  type Wire,
  type WireQuery,
} from "./schema.ts";
import { TRIGGER_SPEC } from "./triggers.ts";

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

/** A schedule as the API shows it: with its description in words. */
export const SCHEDULE = {
  ...SCHEDULE_SPEC,
  title: "ScheduleJson",
  properties: {
    ...SCHEDULE_SPEC.properties,
    description: { type: "string", description: "The schedule in words (the API adds it)" },
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
    job_variables: {
      ...OBJECT,
      description: "Over its pool's job template: image, env, volumes, cpus, memory...",
    },
  },
} as const;

/** GET /api/deployments: whether removed ones are listed too, and each one's latest runs. */
export const LIST_DEPLOYMENTS_QUERY = {
  all: { type: "boolean", description: "Include removed deployments" },
  last_runs: {
    type: "integer",
    minimum: 1,
    maximum: 50,
    description:
      "Add last_runs to each: its latest this many runs, newest first, as GET /api/runs?deployment=NAME&planned=false&limit= lists them (planned future runs left out)",
  },
} as const;

/** A deployment as `--json` and the API show it. */
export const DEPLOYMENT = {
  title: "Deployment",
  type: "object",
  additionalProperties: false,
  required: [
    "name",
    "version",
    "description",
    "flow",
    "command",
    "paused",
    "removed",
    "tags",
    "parameters",
    "parameter_schema",
    "schedules",
    "triggers",
    "retries",
    "retry_delay_ms",
    "timeout_ms",
    "concurrency",
    "work_pool",
    "work_queue",
    "next_run",
    "source",
    "source_invalid",
    "updated_at",
  ],
  properties: {
    name: { type: "string" },
    version: { type: "integer", minimum: 1 },
    description: { type: "string" },
    flow: { type: ["string", "null"], description: "`./etl.ts` or `./etl.ts:named`" },
    command: { anyOf: [STRINGS, { type: "null" }] },
    paused: { type: "boolean" },
    removed: { type: "boolean" },
    tags: STRINGS,
    parameters: OBJECT,
    parameter_schema: { type: ["object", "null"] },
    schedules: { type: "array", items: SCHEDULE },
    triggers: { type: "array", items: TRIGGER_SPEC },
    retries: { type: "integer" },
    retry_delay_ms: { type: "integer" },
    retry_delays_ms: {
      type: "array",
      items: { type: "integer" },
      description:
        "A wait per retry (the last repeats), when retry_delay is a list; retry_delay_ms is its first",
    },
    timeout_ms: { type: ["integer", "null"] },
    concurrency: { anyOf: [CONCURRENCY_SPEC, { type: "null" }] },
    work_pool: { type: "string" },
    work_queue: { type: "string" },
    next_run: TIME_OR_NULL,
    source: { type: ["string", "null"], description: "`flows/etl.yaml:3`" },
    source_invalid: {
      type: "boolean",
      description: "Its definition file is invalid now: its last good version is what runs",
    },
    hash: {
      type: "string",
      description:
        "Its active version's content hash: a definition with the same makes no new version",
    },
    updated_at: TIME_OR_NULL,
    last_runs: {
      type: "array",
      items: RUN,
      description: "Its latest runs, newest first (only when the listing asks: ?last_runs=N)",
    },
  },
} as const;

/** A deployment with what `inspect` adds: its next runs and its versions. */
export const DEPLOYMENT_DETAIL = {
  ...DEPLOYMENT,
  title: "DeploymentDetail",
  required: [...DEPLOYMENT.required, "next_runs", "versions", "rolled_back"],
  properties: {
    ...DEPLOYMENT.properties,
    next_runs: { type: "array", items: TIME },
    versions: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["version", "hash", "created_at", "active"],
        properties: {
          version: { type: "integer", minimum: 1 },
          hash: { type: "string" },
          created_at: TIME,
          active: { type: "boolean", description: "The version new runs use" },
          changed: {
            ...STRINGS,
            description:
              "The files its runs use that differ from the version before: added, removed or changed",
          },
          added: { ...STRINGS, description: "Of `changed`: the files the version before lacked" },
          removed: { ...STRINGS, description: "Of `changed`: the files this version lacks" },
        },
      },
    },
    rolled_back: {
      type: "boolean",
      description: "An older version is active until the deployment's files change",
    },
  },
} as const;

/** POST /api/deployments/:name/rollback: which version (default: the one before the active). */
export const ROLLBACK_REQUEST = {
  title: "RollbackRequest",
  type: "object",
  additionalProperties: false,
  properties: { to: { type: "integer", minimum: 1 } },
} as const;

/** What a rollback did. */
export const ROLLBACK_RESULT = {
  title: "RollbackResult",
  type: "object",
  additionalProperties: false,
  required: ["name", "version", "from", "latest"],
  properties: {
    name: { type: "string" },
    version: { type: "integer", minimum: 1, description: "The version active now" },
    from: { type: "integer", minimum: 1, description: "The version active before" },
    latest: { type: "integer", minimum: 1, description: "The newest version" },
    folder: {
      type: "string",
      description:
        "Present when the version covers every file of its folder (a command without include:): an edit to any of them ends the rollback",
    },
  },
} as const;

/** The answer to removing a deployment. */
export const DEPLOYMENT_REMOVED = {
  title: "DeploymentRemoved",
  type: "object",
  additionalProperties: false,
  required: ["name", "removed", "source"],
  properties: {
    name: { type: "string" },
    removed: { type: "boolean" },
    source: { type: ["string", "null"] },
  },
} as const;

/** What a deploy did: deployments created, updated, removed, unchanged, and invalid files. */
export const DEPLOY_REPORT = {
  title: "DeployReport",
  type: "object",
  additionalProperties: false,
  required: [
    "created",
    "updated",
    "removed",
    "unchanged",
    "invalid",
    "valid_again",
    "rollbacks_ended",
    "warnings",
  ],
  properties: {
    created: STRINGS,
    updated: STRINGS,
    removed: STRINGS,
    unchanged: STRINGS,
    invalid: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["file", "problems"],
        properties: { file: { type: "string" }, problems: { type: "array", items: PROBLEM } },
      },
    },
    valid_again: {
      type: "array",
      description: "Files that were invalid and are deployed again, with their deployments",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["file", "deployments"],
        properties: { file: { type: "string" }, deployments: STRINGS },
      },
    },
    rollbacks_ended: {
      type: "array",
      description:
        "Deployments that ran an older version by a rollback until this deploy changed their files, making a new version active",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "was", "version"],
        properties: {
          name: { type: "string" },
          was: { type: "integer", minimum: 1, description: "The version rolled back to" },
          version: { type: "integer", minimum: 1, description: "The new version, active now" },
        },
      },
    },
    warnings: {
      type: "array",
      items: PROBLEM,
      description:
        "Files named like definitions that orch did not read (special files, links out), and why",
    },
  },
} as const;

export type ScheduleJson = Wire<typeof SCHEDULE>;
export type DeploymentJson = Wire<typeof DEPLOYMENT>;
export type ListDeploymentsQuery = WireQuery<typeof LIST_DEPLOYMENTS_QUERY>;
export type DeploymentDetail = Wire<typeof DEPLOYMENT_DETAIL>;
export type DeploymentRemoved = Wire<typeof DEPLOYMENT_REMOVED>;
export type DeployReport = Wire<typeof DEPLOY_REPORT>;
export type RollbackRequest = Wire<typeof ROLLBACK_REQUEST>;
export type RollbackResult = Wire<typeof ROLLBACK_RESULT>;
