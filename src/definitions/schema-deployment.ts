/** A deployment in the definition format: what it runs, its schedules, and how its runs go. */
import { TAGS } from "../core/index.ts";
import { JOB_FIELDS } from "./job-template.ts";
import { notify, trigger } from "./schema-automations.ts";
import { duration, parameters, retention } from "./schema-values.ts";

const schedule = {
  type: "object",
  description: "One schedule: exactly one of cron, interval or rrule",
  additionalProperties: false,
  properties: {
    cron: { type: "string", description: 'A cron expression, 5 or 6 fields: "0 2 * * *"' },
    interval: { ...duration, description: 'Every so long: "15m"' },
    anchor: {
      type: "string",
      description: "An ISO time that interval slots count from (default: the epoch)",
    },
    rrule: { type: "string", description: "An RFC 5545 recurrence rule: FREQ=WEEKLY;BYDAY=MO" },
    timezone: { type: "string", description: "An IANA time zone (default: UTC)" },
    parameters,
    active: { type: "boolean", description: "false keeps the schedule but plans no runs" },
    catchup: {
      enum: ["latest", "all", "none"],
      description: "Runs missed while orch was down: one for the window, each one, or none",
    },
    wake: {
      type: "boolean",
      description: "Wake this machine for its runs: orch wake-unit makes the OS timer that does",
    },
  },
};

/** One entry of `deployments:`. */
export const deployment = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name: {
      type: "string",
      pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
      description: "Unique in the project: letters, digits, '.', '_' and '-'",
      "x-message":
        'must start with a letter or digit and hold only letters, digits, ".", "_" and "-"',
    },
    flow: {
      type: "string",
      description:
        'A TypeScript flow in this folder: "./etl.ts", or "./etl.ts:named" for a named export',
    },
    command: {
      description: 'A command: argv ["python3", "etl.py"], or a string run by sh -c',
      "x-message":
        'must be a non-empty list (argv, like ["python3", "etl.py"]) or a string (run by sh -c)',
      anyOf: [
        { type: "array", items: { type: ["string", "number", "boolean"] }, minItems: 1 },
        { type: "string", minLength: 1 },
      ],
    },
    description: { type: "string" },
    tags: TAGS,
    parameters: { ...parameters, description: "Default parameters" },
    parameter_schema: { type: "object", description: "A JSON Schema the parameters must match" },
    schedules: { type: "array", items: schedule },
    triggers: { type: "array", items: trigger },
    notify,
    retries: { type: "integer", minimum: 0, description: "Retries after a failure" },
    retry_delay: {
      description:
        "Wait before a retry: a duration, or a list of them, one per retry (the last repeats): [10s, 1m, 5m]",
      "x-message":
        'must be a duration ("30s", "15m", "1h30m", "500ms", a number of seconds) or a list of them, one per retry ([10s, 1m, 5m])',
      anyOf: [duration, { type: "array", items: duration, minItems: 1 }],
    },
    timeout: { ...duration, description: "A run taking longer fails as TimedOut" },
    concurrency: {
      type: "object",
      "x-shorthand": "limit",
      additionalProperties: false,
      required: ["limit"],
      properties: {
        limit: { type: "integer", minimum: 1 },
        collision: {
          enum: ["enqueue", "cancel-new"],
          description: "A run over the limit waits (enqueue) or is cancelled (cancel-new)",
        },
      },
    },
    work_pool: {
      type: "string",
      pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
      description: "The work pool whose workers run it (default: default)",
      "x-message":
        'must start with a letter or digit and hold only letters, digits, ".", "_" and "-"',
    },
    work_queue: {
      type: "string",
      pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
      description: "The queue in its pool (default: default)",
      "x-message":
        'must start with a letter or digit and hold only letters, digits, ".", "_" and "-"',
    },
    env: {
      type: "object",
      description: "Environment variables of the run",
      additionalProperties: { type: ["string", "number", "boolean"] },
    },
    cwd: {
      type: "string",
      description:
        "The working directory: relative to this folder (in the run's copy of it), or an absolute folder of the machine that runs it",
    },
    retention: retention(false),
    job_variables: {
      type: "object",
      additionalProperties: false,
      description: "Over its work pool's job template: image, env, volumes, cpus, memory...",
      properties: JOB_FIELDS,
    },
    include: {
      type: "array",
      items: { type: "string", minLength: 1 },
      description:
        'Globs of the files its runs use, relative to this folder: a flow\'s imports are found on their own; a command uses its whole folder unless this narrows it ("*.sh", "lib/**")',
    },
    run_name: {
      type: "string",
      minLength: 1,
      maxLength: 200,
      description:
        'A name for each run: "etl-{{ parameters.day }}" (shown by runs ls and the monitor)',
    },
  },
};

/** The keys a deployment may have, for did-you-mean suggestions. */
export const DEPLOYMENT_KEYS = Object.keys(deployment.properties);
