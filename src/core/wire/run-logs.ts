/** A run's log lines through the API: which to read, how each looks, and the stream that follows them. */
import { EVENT } from "./events.ts";
import { RUN } from "./runs.ts";
import { LOG_FIELDS, LOG_LEVEL, LOG_STREAMS, TIME, type Wire, type WireQuery } from "./schema.ts";

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

export type LogLineJson = Wire<typeof LOG_LINE>;
export type RunEnd = Wire<typeof RUN_END>;

/** A message of GET /api/runs/:id/logs?follow=1. */
export type LogStreamMessage =
  | { event: "log"; id?: string; data: LogLineJson }
  | { event: "state"; id?: string; data: Wire<typeof EVENT> }
  | { event: "end"; id?: string; data: RunEnd };

export type RunLogsQuery = WireQuery<typeof RUN_LOGS_QUERY>;
