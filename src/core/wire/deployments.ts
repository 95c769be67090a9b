/** Deployments as the API and `--json` show them, and what removing or rolling one back says. */
import { CONCURRENCY_SPEC, SCHEDULE_SPEC } from "./deployment-specs.ts";
import { RUN } from "./runs.ts";
import { OBJECT, STRINGS, TIME, TIME_OR_NULL, type Wire, type WireQuery } from "./schema.ts";
import { TRIGGER_SPEC } from "./triggers.ts";

/** A schedule as the API shows it: with its description in words. */
export const SCHEDULE = {
  ...SCHEDULE_SPEC,
  title: "ScheduleJson",
  properties: {
    ...SCHEDULE_SPEC.properties,
    description: { type: "string", description: "The schedule in words (the API adds it)" },
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
    rolled_back_from: {
      type: "string",
      description:
        "Rolled back: the hash its files had then (a definition with the same keeps the rollback); absent otherwise",
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

export type ScheduleJson = Wire<typeof SCHEDULE>;
export type DeploymentJson = Wire<typeof DEPLOYMENT>;
export type ListDeploymentsQuery = WireQuery<typeof LIST_DEPLOYMENTS_QUERY>;
export type DeploymentDetail = Wire<typeof DEPLOYMENT_DETAIL>;
export type DeploymentRemoved = Wire<typeof DEPLOYMENT_REMOVED>;
export type RollbackRequest = Wire<typeof ROLLBACK_REQUEST>;
export type RollbackResult = Wire<typeof ROLLBACK_RESULT>;
