/** A flow run as the API and `--json` show it: its fields, states, attempts and task runs. */
import { PAUSE_INFO } from "./pauses.ts";
import { ARTIFACT_SUMMARY, RESULT_SUMMARY } from "./results.ts";
import {
  OBJECT,
  STATE_NAME,
  STATE_TYPE,
  STRINGS,
  TIME,
  TIME_OR_NULL,
  type Wire,
} from "./schema.ts";
import { TRIGGERED_BY } from "./triggers.ts";

/** A flow run as the API and `--json` show it. */
export const RUN = {
  title: "Run",
  type: "object",
  additionalProperties: false,
  required: [
    "id",
    "deployment",
    "state",
    "state_name",
    "state_message",
    "parameters",
    "tags",
    "attempt",
    "scheduled_at",
    "started_at",
    "ended_at",
    "exit_code",
    "signal",
    "worker",
    "version",
    "parent_id",
    "work_pool",
    "work_queue",
    "created_by",
    "created_at",
  ],
  properties: {
    id: { type: "string" },
    name: {
      type: ["string", "null"],
      description: "Its name: given when triggered, or the deployment's run_name filled in",
    },
    deployment: { type: ["string", "null"], description: "null for an ad-hoc run" },
    state: STATE_TYPE,
    state_name: STATE_NAME,
    state_message: { type: "string" },
    parameters: OBJECT,
    tags: STRINGS,
    attempt: { type: "integer", minimum: 0 },
    scheduled_at: TIME_OR_NULL,
    started_at: TIME_OR_NULL,
    ended_at: TIME_OR_NULL,
    exit_code: { type: ["integer", "null"] },
    signal: { type: ["string", "null"] },
    worker: { type: ["string", "null"], description: "The id of the worker that holds it" },
    version: { type: ["integer", "null"] },
    parent_id: {
      type: ["string", "null"],
      description: "For a subflow's run: the run of the flow that called it",
    },
    flow_name: {
      type: ["string", "null"],
      description: "The flow's name, for a subflow's run (null when not known)",
    },
    work_pool: { type: "string" },
    work_queue: { type: "string" },
    created_by: { type: "string" },
    created_at: TIME_OR_NULL,
    slot_at: {
      ...TIME_OR_NULL,
      description:
        "The time the run is for (its schedule or backfill slot): ORCH_SCHEDULED_AT, {{ run.scheduled_at }}",
    },
    backfill_id: { type: ["string", "null"], description: "The backfill that made it" },
    triggered_by: {
      anyOf: [TRIGGERED_BY, { type: "null" }],
      description: "For a run a trigger started: the trigger and the event (a webhook's too)",
    },
  },
} as const;

/** One entry of a run's state history. */
export const STATE = {
  title: "State",
  type: "object",
  additionalProperties: false,
  required: ["type", "name", "at", "message"],
  properties: { type: STATE_TYPE, name: STATE_NAME, at: TIME, message: { type: "string" } },
} as const;

/** One attempt of a run: a start of its process, with the deployment version it ran. */
export const ATTEMPT = {
  title: "Attempt",
  type: "object",
  additionalProperties: false,
  required: ["attempt", "version", "started_at"],
  properties: {
    attempt: { type: "integer", minimum: 1 },
    version: {
      type: ["integer", "null"],
      description:
        "The deployment version it ran (null: an ad-hoc run, or an attempt recorded before orch kept it)",
    },
    started_at: TIME,
  },
} as const;

/** Tags in a request or a definition: a few short labels, so a list or a filter stays cheap. */
export const TAGS = {
  type: "array",
  maxItems: 100,
  items: { type: "string", minLength: 1, maxLength: 200 },
} as const;

/** A task run of a TypeScript flow, as the flow last reported it. */
export const TASK_RUN = {
  title: "TaskRun",
  type: "object",
  additionalProperties: false,
  required: ["name", "state", "state_name", "attempts", "started_at", "ended_at", "cached"],
  properties: {
    name: { type: "string" },
    state: { type: "string" },
    state_name: {
      type: "string",
      description:
        "Completed, Cached (its value came from the cache), Reused (from the attempt before), TimedOut, AwaitingRetry, …",
    },
    attempts: { type: "integer", minimum: 0 },
    started_at: TIME_OR_NULL,
    ended_at: TIME_OR_NULL,
    cached: { type: "boolean" },
    message: { type: "string", description: "Why it failed (its error's message)" },
    tags: TAGS,
    run_attempt: {
      type: ["integer", "null"],
      description: "The attempt of the flow run it belongs to (null: not recorded)",
    },
  },
} as const;

/** A run with what `inspect` adds: its state history and task runs. */
export const RUN_DETAIL = {
  ...RUN,
  title: "RunDetail",
  required: [...RUN.required, "states", "attempts", "tasks", "result", "artifacts"],
  properties: {
    ...RUN.properties,
    states: { type: "array", items: STATE },
    attempts: {
      type: "array",
      items: ATTEMPT,
      description:
        "Its attempts, oldest first, each with the version it ran (a retry may run a newer version than the attempt before; version is the latest's)",
    },
    tasks: { type: "array", items: TASK_RUN },
    result: { anyOf: [RESULT_SUMMARY, { type: "null" }], description: "null: none (yet)" },
    artifacts: {
      type: "array",
      items: ARTIFACT_SUMMARY,
      description: "Its artifacts, without their data (GET /api/runs/:id/artifacts has it)",
    },
    children: { type: "array", items: RUN, description: "Its subflows' runs, oldest first" },
    worker_name: {
      type: ["string", "null"],
      description: "The worker that ran it, as NAME@HOST (null: none yet, or one no longer known)",
    },
    pause: {
      anyOf: [{ type: "null" }, PAUSE_INFO],
      description: "While PAUSED: what the pause waits for",
    },
  },
} as const;

export type RunJson = Wire<typeof RUN>;
export type StateJson = Wire<typeof STATE>;
export type AttemptJson = Wire<typeof ATTEMPT>;
export type TaskRunJson = Wire<typeof TASK_RUN>;
export type RunDetail = Wire<typeof RUN_DETAIL>;
