import {
  decodeRecord,
  type FlowOptionsRecord,
  type LogLevel,
  lineLevel,
  streamLevel,
} from "../core/index.ts";

/** Where a captured line came from; orch's own lines (the cap marker) are `orch`. */
export type CapturedStream = "stdout" | "stderr" | "orch";

/** One captured line of output; a flow's log record adds its level and fields. */
export interface CapturedLine {
  at: number;
  stream: CapturedStream;
  line: string;
  level?: LogLevel;
  fields?: Record<string, unknown>;
}

export interface LogCaptureOptions {
  /** Text kept per run, in characters; past it one marker line is logged and the rest dropped. */
  maxChars: number;
  /** A line longer than this is cut into pieces (a child that never prints a newline). */
  maxLineChars?: number;
  now: () => number;
  /** Receives each chunk's complete lines at once: one batch per read, never per line. */
  onLines: (lines: CapturedLine[]) => void;
  /** The options the flow reported as it started (see FlowOptionsRecord); not a line of its log. */
  onFlowOptions?: (options: FlowOptionsRecord) => void;
}

/** The line splitter of one stream. */
export interface StreamCapture {
  push(chunk: Uint8Array): void;
  /** The stream ended: a partial last line is kept as a line of its own. */
  end(): void;
}

/** Characters of a record's fields kept with its line (they are for filtering, not for data). */
const MAX_FIELDS_CHARS = 8192;

/** A record's fields, or a note in their place when they are too large to keep. */
function keptFields(record: { line: string; fields?: Record<string, unknown> }, raw: string) {
  const size = raw.length - record.line.length;
  if (size <= MAX_FIELDS_CHARS) return record.fields;
  return { fields_omitted: `${size} characters of fields, over the ${MAX_FIELDS_CHARS} kept` };
}

/** Turn a run's stdout and stderr bytes into timestamped lines, within one shared size cap. */
export function createLogCapture(options: LogCaptureOptions) {
  const maxLine = options.maxLineChars ?? 1024 * 1024;
  let kept = 0;
  let capped = false;
  let failure: string | null = null;

  const emit = (stream: CapturedStream, lines: string[], at: number) => {
    if (lines.length === 0) return;
    const plainLevel = streamLevel(stream);
    const out: CapturedLine[] = new Array(lines.length);
    let n = 0;
    for (const line of lines) {
      // A flow's record line (see core/log-record.ts): its level and fields, or the message its
      // run fails with, which is read even past the cap.
      const record = line.charCodeAt(0) === 0x1e ? decodeRecord(line) : null;
      if (record && "failure" in record) {
        failure = record.failure;
        continue;
      }
      if (record && "flowOptions" in record) {
        options.onFlowOptions?.(record.flowOptions);
        continue;
      }
      if (capped) continue;
      if (record) {
        kept += line.length + 1;
        if (kept <= options.maxChars) {
          out[n++] = record.fields
            ? {
                at,
                stream,
                line: record.line,
                level: record.level,
                fields: keptFields(record, line),
              }
            : { at, stream, line: record.line, level: record.level };
          continue;
        }
      } else kept += line.length + 1;
      if (kept > options.maxChars) {
        capped = true;
        out[n++] = {
          at,
          stream: "orch",
          line: `orch: this run's output reached the cap of ${Math.round(options.maxChars / 1024 / 1024)} MB; further output is not stored (the run goes on)`,
        };
        continue;
      }
      // A plain line that says its own level (`WARNING:root:…`, `{"level":"error",…}`) has it;
      // one its stream gives anyway (info) is stored without, as every plain line is.
      const level = lineLevel(line);
      out[n++] = level && level !== plainLevel ? { at, stream, line, level } : { at, stream, line };
    }
    if (n === 0) return;
    out.length = n;
    options.onLines(out);
  };

  const stream = (name: "stdout" | "stderr"): StreamCapture => {
    // Invalid UTF-8 becomes U+FFFD (never an exception); `stream: true` keeps a character
    // split across two reads whole.
    const decoder = new TextDecoder("utf-8", { fatal: false });
    let partial = "";
    return {
      push(chunk) {
        const text = decoder.decode(chunk, { stream: true });
        // Past the cap only a failure record still matters: skip chunks that cannot hold one.
        if (capped && !text.includes("\x1e") && partial.charCodeAt(0) !== 0x1e) {
          partial = "";
          return;
        }
        const at = options.now();
        const parts = text.split("\n");
        parts[0] = partial + parts[0];
        partial = parts.pop()!;
        for (let i = 0; i < parts.length; i++) {
          const line = parts[i]!;
          if (line.endsWith("\r")) parts[i] = line.slice(0, -1);
        }
        if (partial.length > maxLine) {
          parts.push(partial);
          partial = "";
        }
        emit(name, parts, at);
      },
      end() {
        const rest = partial + decoder.decode();
        partial = "";
        if (rest) emit(name, [rest], options.now());
      },
    };
  };

  return {
    stdout: stream("stdout"),
    stderr: stream("stderr"),
    /** The message the flow asked its run to fail with (its thrown error's), if it did. */
    get failure() {
      return failure;
    },
    /** Whether the cap was reached. */
    get capped() {
      return capped;
    },
  };
}
