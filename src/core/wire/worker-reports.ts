/**
 * What a worker reports of a run it holds, over /api/workers/:id/runs/:run/…: that it may start
 * its process, the states it proposes, and the log lines it captured.
 */
import { RUN } from "./runs.ts";
import { LOG_FIELDS, LOG_LEVEL, LOG_STREAMS, STATE_NAME, type Wire } from "./schema.ts";

/** The states a worker may propose for a run it holds. */
export const REPORTABLE_TYPES = [
  "SCHEDULED",
  "RUNNING",
  "COMPLETED",
  "FAILED",
  "CRASHED",
  "CANCELLED",
  "PAUSED",
] as const;

/** POST /api/workers/:id/runs/:run/state: the state a worker proposes, and what it knows. */
export const STATE_REPORT = {
  title: "StateReport",
  type: "object",
  additionalProperties: false,
  required: ["type"],
  properties: {
    type: { type: "string", enum: REPORTABLE_TYPES },
    name: STATE_NAME,
    message: { type: "string", maxLength: 10_000 },
    interrupted: {
      type: "boolean",
      description: "The worker's own stop cut the attempt short: retried while retries are left",
    },
    may_pass: {
      type: "boolean",
      description:
        "No process started, for a reason that may pass (command not found): retried while retries are left",
    },
    exit_code: { type: ["integer", "null"] },
    signal: { type: ["string", "null"], maxLength: 50 },
    // A run's process leads its own group, and a group id below 2 is never one: kill(-1) would
    // signal every process of this user.
    pid: { type: ["integer", "null"], minimum: 2 },
    pid_started: { type: ["string", "null"], maxLength: 100 },
    attempt: {
      type: "integer",
      minimum: 1,
      description:
        "The attempt the report is about (the job's attempt): one of an attempt the run has moved past changes nothing",
    },
    at: {
      type: "string",
      maxLength: 40,
      description:
        "When the state happened on the worker (ISO time): kept, bounded by now and the run's previous state",
    },
  },
} as const;

/** What the server recorded for a reported state. */
export const STATE_RECORDED = {
  title: "StateRecorded",
  type: "object",
  additionalProperties: false,
  required: ["run", "changed"],
  properties: {
    run: RUN,
    changed: { type: "boolean" },
    replaced: { type: "string", description: "Why the proposed state was replaced, when it was" },
    ignored: {
      type: "string",
      description: "Why nothing was recorded: the report was of an attempt the run has moved past",
    },
  },
} as const;

/** POST /api/workers/:id/runs/:run/start: a worker asks to start a run's process. */
export const START_REQUEST = {
  title: "StartRequest",
  type: "object",
  additionalProperties: false,
  required: ["attempt"],
  properties: {
    attempt: { type: "integer", minimum: 1, description: "The job's attempt" },
  },
} as const;

/**
 * The answer to a start: whether the worker may start the process now. Once it may, orch never
 * hands the run to another worker, even if this one is lost before it reports RUNNING.
 */
export const START_ANSWER = {
  title: "StartAnswer",
  type: "object",
  additionalProperties: false,
  required: ["start", "run"],
  properties: {
    start: { type: "boolean" },
    reason: { type: "string", description: "Why it may not (the run moved on: cancelled...)" },
    run: RUN,
  },
} as const;

/** One captured line as a worker sends it (`at`: epoch milliseconds). */
export const LOG_LINE_INPUT = {
  title: "LogLineInput",
  type: "object",
  additionalProperties: false,
  required: ["at", "stream", "line"],
  properties: {
    at: { type: "integer", minimum: 0 },
    stream: { type: "string", enum: LOG_STREAMS },
    line: { type: "string" },
    level: LOG_LEVEL,
    fields: LOG_FIELDS,
  },
} as const;

/** POST /api/workers/:id/runs/:run/logs: an attempt's lines numbered from `first`. */
export const LOG_BATCH = {
  title: "LogBatch",
  type: "object",
  additionalProperties: false,
  required: ["attempt", "first", "lines"],
  properties: {
    attempt: { type: "integer", minimum: 1 },
    first: { type: "integer", minimum: 1 },
    lines: { type: "array", maxItems: 50_000, items: LOG_LINE_INPUT },
  },
} as const;

/** The answer to a log batch: lines stored now, and the attempt's last line number. */
export const LOGS_STORED = {
  title: "LogsStored",
  type: "object",
  additionalProperties: false,
  required: ["stored", "last"],
  properties: {
    stored: { type: "integer", minimum: 0 },
    last: { type: "integer", minimum: 0 },
  },
} as const;

export type StateReportJson = Wire<typeof STATE_REPORT>;
export type StateRecorded = Wire<typeof STATE_RECORDED>;
export type StartRequestJson = Wire<typeof START_REQUEST>;
export type StartAnswer = Wire<typeof START_ANSWER>;
export type LogLineInput = Wire<typeof LOG_LINE_INPUT>;
export type LogBatchJson = Wire<typeof LOG_BATCH>;
export type LogsStored = Wire<typeof LOGS_STORED>;
