import { EVENT } from "./events.ts";
import { PAUSE_INFO } from "./pauses.ts";
import { ARTIFACT_SUMMARY, RESULT_SUMMARY } from "./results.ts";
import {
  LOG_FIELDS,
  LOG_LEVEL,
  LOG_STREAMS,
  OBJECT,
  STATE_NAME,
  STATE_TYPE,
  STRINGS,
  TIME,
  TIME_OR_NULL,
  type Wire,
  type WireQuery,
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

/** GET /api/runs: which runs, and which page of them. */
export const LIST_RUNS_QUERY = {
  deployment: { type: "string", description: "Only this deployment's runs" },
  state: {
    type: "string",
    description:
      "Only runs of this state type (COMPLETED, FAILED, …: all its names) or state name (Late, AwaitingRetry, TimedOut, …)",
  },
  tag: { type: "string", description: "Only runs with this tag" },
  limit: { type: "integer", minimum: 1, maximum: 1000, default: 50 },
  cursor: { type: "string", description: "x-next-cursor of the previous page" },
  since: {
    type: "string",
    description:
      "Only runs for this ISO time or after: their slot_at (the schedule's or backfill's time)",
  },
  until: {
    type: "string",
    description: "Only runs for a time before this ISO time (their slot_at)",
  },
  planned: {
    type: "boolean",
    default: false,
    description:
      "Include runs schedules planned for the future (false: only what happened or is due)",
  },
  q: {
    type: "string",
    minLength: 1,
    maxLength: 200,
    description:
      "Only runs whose id starts with this text, or whose name, deployment, flow or state message holds it (case-insensitive)",
  },
  order: {
    type: "string",
    enum: ["newest", "soonest"],
    default: "newest",
    description:
      "newest: latest first; soonest: earliest first (with planned=true&state=SCHEDULED&since=NOW, the next planned runs)",
  },
} as const;

/** GET /api/runs/counts: the filters of GET /api/runs, without the state and the paging. */
export const COUNT_RUNS_QUERY = (({ state: _s, limit: _l, cursor: _c, order: _o, ...rest }) =>
  rest)(LIST_RUNS_QUERY);

/** How many runs match a filter, in all and by state type. */
export const RUN_COUNTS = {
  title: "RunCounts",
  type: "object",
  additionalProperties: false,
  required: ["total", "states"],
  properties: {
    total: { type: "integer", minimum: 0 },
    states: {
      type: "object",
      propertyNames: STATE_TYPE,
      additionalProperties: { type: "integer", minimum: 1 },
      description: "Runs by state type; a type with none is left out",
    },
  },
} as const;

/** GET /api/runs/:id/logs: which lines, or a stream of them. */
export const RUN_LOGS_QUERY = {
  after: { type: "integer", minimum: 0, default: 0, description: "Lines after this line id" },
  limit: { type: "integer", minimum: 1, maximum: 100_000, default: 10_000 },
  follow: { type: "boolean", description: "Stream lines (SSE) until the run ends" },
  level: {
    ...LOG_LEVEL,
    description: "Only lines of this level or above (warn: warn and error)",
  },
  grep: {
    type: "string",
    minLength: 1,
    maxLength: 1000,
    description: "Only lines that contain this text (literal, case-sensitive)",
  },
} as const;

/** A stored log line; `id` orders lines and is the cursor for the next page. */
export const LOG_LINE = {
  title: "LogLine",
  type: "object",
  additionalProperties: false,
  required: ["id", "at", "stream", "line"],
  properties: {
    id: { type: "integer", minimum: 1 },
    at: TIME,
    stream: { type: "string", enum: LOG_STREAMS },
    level: LOG_LEVEL,
    line: { type: "string" },
    fields: LOG_FIELDS,
  },
} as const;

/** A log stream's last message: the run as it ended (`deleted` when it was replaced). */
export const RUN_END = {
  ...RUN,
  title: "RunEnd",
  properties: {
    ...RUN.properties,
    deleted: { type: "boolean", description: "A planned run the scheduler replaced" },
  },
} as const;

/** The messages of GET /api/runs/:id/logs?follow=1, by SSE event name. */
export const LOG_STREAM = { log: LOG_LINE, state: EVENT, end: RUN_END } as const;

/** POST /api/deployments/:name/runs: a run of a deployment, its parameters over the defaults. */
export const TRIGGER_RUN_REQUEST = {
  title: "TriggerRunRequest",
  type: "object",
  additionalProperties: false,
  properties: {
    parameters: OBJECT,
    tags: TAGS,
    scheduled_at: { type: "string", description: "An ISO time; default now" },
    idempotency_key: { type: "string", minLength: 1, maxLength: 200 },
    name: {
      type: "string",
      minLength: 1,
      maxLength: 200,
      pattern: "^[^\\u0000-\\u001f\\u007f]*$",
      description:
        "The run's name, without control characters (default: the deployment's run_name template, filled in)",
    },
    version: {
      type: "integer",
      minimum: 1,
      description: "Run this version of the deployment (default: the active one)",
    },
    timeout_ms: {
      type: "integer",
      minimum: 1,
      description: "This run's timeout, over the deployment's",
    },
    env: {
      type: "object",
      maxProperties: 200,
      propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$", maxLength: 200 },
      additionalProperties: { type: "string", maxLength: 65_536 },
      description: "Environment variables of this run, over the deployment's env",
    },
  },
} as const;

/** POST /api/runs: an ad-hoc run (no deployment), held by the worker that runs it. */
export const AD_HOC_RUN_REQUEST = {
  title: "AdHocRunRequest",
  type: "object",
  additionalProperties: false,
  required: ["flow", "worker_id"],
  properties: {
    flow: { type: "string", minLength: 1, maxLength: 4096, description: "The flow's file" },
    export: { type: "string", minLength: 1, maxLength: 200, description: "Default: default" },
    name: { type: "string", minLength: 1, maxLength: 200, description: "The flow's name" },
    parameters: OBJECT,
    tags: TAGS,
    worker_id: {
      type: "string",
      minLength: 1,
      maxLength: 100,
      description: "The registered worker that runs it (orch flow run registers one)",
    },
    retries: {
      type: "integer",
      minimum: 0,
      maximum: 1000,
      description: "How many times a failed attempt is retried (the flow's own retries)",
    },
    retry_delay_ms: {
      type: "integer",
      minimum: 0,
      description: "How long a failed attempt waits before its retry",
    },
  },
} as const;

/** POST /api/workers/:id/runs/:run/retries: an ad-hoc run's retries, as its flow declares them. */
export const AD_HOC_RETRIES_REQUEST = {
  title: "AdHocRetriesRequest",
  type: "object",
  additionalProperties: false,
  required: ["retries"],
  properties: {
    retries: {
      type: "integer",
      minimum: 0,
      maximum: 1000,
      description: "How many times a failed attempt is retried",
    },
    retry_delay_ms: {
      type: "integer",
      minimum: 0,
      description: "How long a failed attempt waits before its retry",
    },
  },
} as const;

/** POST /api/runs/prune: what to delete. */
export const PRUNE_REQUEST = {
  title: "PruneRequest",
  type: "object",
  additionalProperties: false,
  required: ["older_than"],
  properties: {
    older_than: { type: "string", description: 'A duration: "30d", "12h"' },
    dry_run: { type: "boolean", description: "Only count what would go" },
  },
} as const;

/** What a prune removed (or, dry, would remove). */
export const PRUNE_RESULT = {
  title: "PruneResult",
  type: "object",
  additionalProperties: false,
  required: ["runs", "log_lines", "events"],
  properties: {
    runs: { type: "integer", minimum: 0 },
    log_lines: { type: "integer", minimum: 0 },
    events: { type: "integer", minimum: 0 },
  },
} as const;

/** POST /api/runs/:id/tasks: a flow reports its task runs' latest states. */
export const TASK_REPORT = {
  title: "TaskReport",
  type: "object",
  additionalProperties: false,
  required: ["tasks"],
  properties: {
    tasks: {
      type: "array",
      maxItems: 10_000,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["id", "name", "state", "attempts", "started_at", "ended_at"],
        properties: {
          id: { type: "string", minLength: 1, maxLength: 100 },
          name: { type: "string", minLength: 1, maxLength: 500 },
          state: { type: "string", enum: ["SCHEDULED", "RUNNING", "COMPLETED", "FAILED"] },
          state_name: { type: "string", maxLength: 100 },
          message: { type: "string", maxLength: 10_000 },
          tags: TAGS,
          attempts: { type: "integer", minimum: 0 },
          started_at: TIME_OR_NULL,
          ended_at: TIME_OR_NULL,
          cached: { type: "boolean", description: "Its value came from the cache" },
          result: { description: "Its return value, once it completed (any JSON)" },
          result_problem: {
            type: "string",
            maxLength: 2000,
            description: "Why its return value was not kept",
          },
          run_attempt: {
            type: "integer",
            minimum: 1,
            description: "The attempt of the flow run it belongs to",
          },
          inputs_hash: {
            type: "string",
            maxLength: 128,
            description: "A hash of its inputs: a retry from the failure reuses a result by it",
          },
          source_hash: {
            type: "string",
            maxLength: 128,
            description: "A hash of its task's source: a result is reused only for the same code",
          },
        },
      },
    },
  },
} as const;

/** The answer to a task report: how many task runs were stored. */
export const TASKS_STORED = {
  title: "TasksStored",
  type: "object",
  additionalProperties: false,
  required: ["stored"],
  properties: { stored: { type: "integer", minimum: 0 } },
} as const;

export type RunJson = Wire<typeof RUN>;
export type StateJson = Wire<typeof STATE>;
export type AttemptJson = Wire<typeof ATTEMPT>;
export type TaskRunJson = Wire<typeof TASK_RUN>;
export type RunDetail = Wire<typeof RUN_DETAIL>;
export type LogLineJson = Wire<typeof LOG_LINE>;
export type RunEnd = Wire<typeof RUN_END>;

/** A message of GET /api/runs/:id/logs?follow=1. */
export type LogStreamMessage =
  | { event: "log"; id?: string; data: LogLineJson }
  | { event: "state"; id?: string; data: Wire<typeof EVENT> }
  | { event: "end"; id?: string; data: RunEnd };
export type TriggerRunRequest = Wire<typeof TRIGGER_RUN_REQUEST>;
export type AdHocRunRequest = Wire<typeof AD_HOC_RUN_REQUEST>;
export type AdHocRetriesRequest = Wire<typeof AD_HOC_RETRIES_REQUEST>;
export type PruneRequest = Wire<typeof PRUNE_REQUEST>;
export type PruneResult = Wire<typeof PRUNE_RESULT>;
export type TaskReport = Wire<typeof TASK_REPORT>;
export type TasksStored = Wire<typeof TASKS_STORED>;
export type ListRunsQuery = WireQuery<typeof LIST_RUNS_QUERY>;
export type RunLogsQuery = WireQuery<typeof RUN_LOGS_QUERY>;
export type CountRunsQuery = WireQuery<typeof COUNT_RUNS_QUERY>;
export type RunCounts = Wire<typeof RUN_COUNTS>;
