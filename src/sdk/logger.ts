/**
 * The run logger: `getRunLogger().info("loaded", { rows: 3 })`. Inside a run each call is one
 * structured line of the run's logs (level, text, fields; the task it ran in as the `task`
 * field), and `console.*` lands there too, with its level. Outside a run it prints plain text.
 */
import { format } from "node:util";
// Not the core's index: the flow-run entry loads only what a run needs.
import {
  encodeLogRecord,
  type LogLevel,
  renderFields,
  SUBFLOW_FIELD,
  streamLevel,
} from "../core/log-record.ts";
import { currentFlowRun } from "./flow-context.ts";
import { currentTarget } from "./run-target.ts";
import { getTaskContext } from "./task-context.ts";

/** Structured fields of a log line: JSON values by name. */
export type LogFields = Record<string, unknown>;

/** A logger of the current run. */
export interface RunLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to each of its lines. */
  child(fields: LogFields): RunLogger;
}

/** Where lines go: records on the process's output (inside a run), or plain text. */
let structured = false;
const original = {
  debug: console.debug.bind(console),
  info: console.info.bind(console),
  log: console.log.bind(console),
  warn: console.warn.bind(console),
  error: console.error.bind(console),
};

/** Make a field's value JSON (an Error becomes its message; what cannot be JSON, its text). */
function jsonValue(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "function" || typeof value === "symbol") return String(value);
  return value;
}

function jsonFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = jsonValue(v);
  return out;
}

/**
 * The subflow run the code running now belongs to, when it is not the process's own run: its
 * lines are stored with the process's run and listed as that subflow's too (see store/logs.ts).
 */
function subflowRun(): string | undefined {
  const run = currentFlowRun();
  return run?.runId && run !== run.root ? run.runId : undefined;
}

function write(level: LogLevel, text: string, fields: LogFields | undefined): void {
  const task = getTaskContext();
  let all = fields;
  if (task && !(fields && "task" in fields)) all = { task: task.name, ...fields };
  const target = currentTarget();
  if (target) {
    // A run recorded inside this process keeps its lines itself (a test reads them back).
    const subflow = subflowRun();
    target.log({
      level,
      line: text,
      ...(all && Object.keys(all).length ? { fields: jsonFields(all) } : {}),
      ...(subflow ? { subflow } : {}),
    });
    return;
  }
  const subflow = structured ? subflowRun() : undefined;
  if (subflow) all = { ...all, [SUBFLOW_FIELD]: subflow };
  if (!structured) {
    const extra = all && Object.keys(all).length ? ` ${renderFields(jsonFields(all))}` : "";
    const print =
      level === "error" ? original.error : level === "warn" ? original.warn : original.log;
    print(`${text}${extra}`);
    return;
  }
  const clean = all && jsonFields(all);
  let lines = "";
  // One record per line: a stored line is always one line of text.
  for (const line of text.split("\n")) {
    let encoded: string;
    try {
      encoded = encodeLogRecord({ level, line, fields: clean });
    } catch {
      encoded = encodeLogRecord({ level, line, fields: { fields: format("%o", clean) } });
    }
    lines += `${encoded}\n`;
  }
  // warn and error go to stderr, as console.warn/error do, so the stream still tells them apart.
  writeLines(level === "warn" || level === "error" ? "stderr" : "stdout", lines);
}

/**
 * Write whole lines to stdout or stderr through the console as it was before the run patched it:
 * synchronous, and without node's stream objects, whose first touch costs a flow ~20 ms.
 */
export function writeLines(stream: "stdout" | "stderr", lines: string): void {
  (stream === "stderr" ? original.error : original.log)(lines.replace(/\n$/, ""));
}

function createLogger(base: LogFields | undefined): RunLogger {
  const at =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void =>
      write(level, String(message), base || fields ? { ...base, ...fields } : undefined);
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
}

/**
 * The logger of the current run: levels debug, info, warn and error, each with optional
 * structured fields; `orch runs logs ID --level warn` shows warn and error lines only.
 */
export function getRunLogger(fields?: LogFields): RunLogger {
  return createLogger(fields);
}

/** The SDK's own log lines (task retries and failures). */
export const sdkLog = createLogger(undefined);

let capturing = false;

/**
 * Lines that code of a run recorded inside this process prints with console.* are that run's
 * log lines (as a worker's run's output is); everything else prints as before. Installed once.
 */
export function captureConsole(): void {
  if (capturing) return;
  capturing = true;
  const levels = {
    debug: "debug",
    info: "info",
    log: "info",
    warn: "warn",
    error: "error",
  } as const;
  for (const [method, level] of Object.entries(levels) as [keyof typeof levels, LogLevel][]) {
    const before = console[method];
    console[method] = (...args: unknown[]) => {
      if (currentTarget() && currentFlowRun()) write(level, format(...args), undefined);
      else before(...args);
    };
  }
}

/**
 * Inside a run (the flow-run entry): lines become records, and console.* writes them too, each
 * with its level. A console call outside a task whose level is the one its stream gives a plain
 * line (console.log and console.info: info on stdout) stays a plain line, so a flow's output
 * reads the same as before; console.warn and console.error are records, as a plain stderr line
 * is only info.
 */
export function logAsRecords(): void {
  structured = true;
  const patch =
    (level: LogLevel, plain: (...args: unknown[]) => void, plainLevel: LogLevel) =>
    (...args: unknown[]) => {
      if (level === plainLevel && !getTaskContext() && !subflowRun()) plain(...args);
      else write(level, format(...args), undefined);
    };
  console.debug = patch("debug", original.debug, "info");
  console.info = patch("info", original.info, "info");
  console.log = patch("info", original.log, "info");
  console.warn = patch("warn", original.warn, streamLevel("stderr"));
  console.error = patch("error", original.error, streamLevel("stderr"));
}
