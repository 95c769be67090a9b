/**
 * How a flow's process marks a line of its output as a structured log record: a level, fields,
 * or the message its run fails with. The SDK writes these lines; the worker's log capture reads
 * them back. Why lines on stdout/stderr and not API calls: the output is the one channel every
 * run has (a remote worker, an ad-hoc run with no server), the worker reads it to the end before
 * it decides the final state, and records keep their order among the flow's other output.
 */

/** Log levels, least severe first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Whether a value is a log level. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

/** The levels at or above `level` (what `--level warn` shows). */
export function levelsFrom(level: LogLevel): LogLevel[] {
  return LOG_LEVELS.slice(LOG_LEVELS.indexOf(level));
}

/**
 * The first character of a record line: ASCII record separator, which no ordinary text line
 * starts with, then `orch` and a JSON object.
 */
export const RECORD_MARK = "\x1eorch";

/**
 * The field that names the subflow run a line was written in. A subflow runs in its caller's
 * process, so its lines arrive with the caller's output; this field is how they are listed as
 * the subflow's own logs too.
 */
export const SUBFLOW_FIELD = "subflow_run";

/** A structured line: its level, text and fields. */
export interface LogRecord {
  level: LogLevel;
  line: string;
  fields?: Record<string, unknown>;
}

/**
 * The options a flow declares in code (`flow({ timeout, retries, retryDelay })`), as its process
 * reports them once it has loaded: an ad-hoc run learns them from its first attempt instead of
 * loading the flow's file in a process of its own first.
 */
export interface FlowOptionsRecord {
  timeout_ms?: number;
  retries?: number;
  retry_delay_ms?: number;
}

/** What a record line can carry: a log record, the message the run fails with, or the flow's options. */
export type OutputRecord = LogRecord | { failure: string } | { flowOptions: FlowOptionsRecord };

/** The line a flow prints for a log record (no newline; a multi-line text stays one line). */
export function encodeLogRecord(record: LogRecord): string {
  return `${RECORD_MARK}${JSON.stringify({ l: record.level, m: record.line, f: record.fields })}`;
}

/** The line a flow prints last when it fails: its error's message becomes the run's message. */
export function encodeFailure(message: string): string {
  return `${RECORD_MARK}${JSON.stringify({ fail: message })}`;
}

/** The line a flow prints as it starts when it declares a timeout or retries (see FlowOptionsRecord). */
export function encodeFlowOptions(options: FlowOptionsRecord): string {
  return `${RECORD_MARK}${JSON.stringify({ opts: options })}`;
}

/**
 * The record a line carries, or null for a plain line (anything that does not parse as a record
 * stays the text it is).
 */
export function decodeRecord(line: string): OutputRecord | null {
  if (!line.startsWith(RECORD_MARK)) return null;
  let value: unknown;
  try {
    value = JSON.parse(line.slice(RECORD_MARK.length));
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const v = value as { l?: unknown; m?: unknown; f?: unknown; fail?: unknown; opts?: unknown };
  if (typeof v.fail === "string") return { failure: v.fail };
  if (typeof v.opts === "object" && v.opts !== null) return { flowOptions: flowOptions(v.opts) };
  if (!isLogLevel(v.l) || typeof v.m !== "string") return null;
  const fields =
    typeof v.f === "object" && v.f !== null && !Array.isArray(v.f)
      ? (v.f as Record<string, unknown>)
      : undefined;
  return fields && Object.keys(fields).length
    ? { level: v.l, line: v.m, fields }
    : { level: v.l, line: v.m };
}

/** The options of a record as a flow wrote them, each kept only when it is a whole number >= 0. */
function flowOptions(raw: object): FlowOptionsRecord {
  const out: FlowOptionsRecord = {};
  for (const key of ["timeout_ms", "retries", "retry_delay_ms"] as const) {
    const value = (raw as Record<string, unknown>)[key];
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) out[key] = value;
  }
  return out;
}

/** Fields as `key=value` text for a terminal (strings bare, other values as JSON). */
export function renderFields(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
}

/**
 * The level of a plain line that says none of its own (see lineLevel): info on stdout and on
 * stderr alike, warn for orch's own notes. stderr is where most programs write everything that
 * is not their result (Python's logging, progress bars, git's and curl's chatter), so an error
 * level there would make every run look failing and `--level error` list mostly noise; what a
 * line calls an error or warning is one, and its stream stays recorded beside it.
 */
export function streamLevel(stream: string): LogLevel {
  return stream === "orch" ? "warn" : "info";
}
