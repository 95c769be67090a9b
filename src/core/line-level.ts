/**
 * The level a plain line of a run's output says it has, as loggers and tools write it: a JSON
 * object with a level field (pino, zap, slog, structlog, logrus), a logfmt `level=` (slog's and
 * logrus's text), or a leading level word (Python's logging `INFO:root:…`, Go's slog
 * `2026/12/01 10:00:00 WARN …`, Rust's `[… ERROR app] …`, `[info] …`, git's `fatal: …`), after
 * a timestamp or not, and an exception's headline (`ValueError: …`). A line that says none keeps
 * its stream's level (streamLevel).
 */
import type { LogLevel } from "./log-record.ts";

/** Level words, lower case, and the level each is. */
const WORDS: Record<string, LogLevel> = {
  trace: "debug",
  debug: "debug",
  info: "info",
  notice: "info",
  warn: "warn",
  warning: "warn",
  err: "error",
  error: "error",
  crit: "error",
  critical: "error",
  fatal: "error",
  panic: "error",
};

/**
 * Each level word as it is written: in capitals (`INFO`: a level however it is followed), and in
 * lower case or capitalised (`error`, `Warning`: a level only when `:` or `]` follows, so a
 * sentence that begins "Error handling…" or "Info about…" stays a plain line). Looked up as
 * written, so a line costs no case conversion.
 */
const WRITTEN = new Map<string, { level: LogLevel; capitals: boolean }>();
for (const [word, level] of Object.entries(WORDS)) {
  WRITTEN.set(word.toUpperCase(), { level, capitals: true });
  WRITTEN.set(word, { level, capitals: false });
  WRITTEN.set(word[0]!.toUpperCase() + word.slice(1), { level, capitals: false });
}

/**
 * A leading timestamp (`2026-12-01T10:00:00Z`, `2026/12/01 10:00:00`, `12:00:00,123`, inside
 * `[…]` or not) and a `-`/`|` separator after it: where a level word may follow.
 */
const STAMP = /^\[?\d[\d\-/.:T,Z+]*(?:[ T]\d[\d:.,Z+-]*)?\]?\s+(?:[-|]\s+)?\[?/;

/** logfmt: `level=info`, first or after the time (`time=… level=warn msg=…`). */
const LOGFMT = /^(?:(?:time|ts|t)=(?:"[^"]*"|\S+)\s+)?(?:level|lvl)=("?)([A-Za-z]+)\1(?:\s|$)/;

/**
 * An exception's headline as runtimes print it on stderr: Python's `Traceback (most recent call
 * last):` and its last line (`ValueError: …`), JavaScript's `TypeError: …`, Java's
 * `java.lang.IllegalStateException: …`. The lines between (the frames) say no level.
 */
const EXCEPTION =
  /^(?:Traceback \(most recent call last\):|(?:[a-z_]\w*\.)*[A-Z]\w*(?:Error|Exception):)/;

/** A JSON object's level field: a name, or pino's and bunyan's numbers (30 info, 50 error). */
const JSON_LEVEL = /"(?:level|lvl|severity|levelname)"\s*:\s*(?:"([A-Za-z]+)"|(\d+))/;

/**
 * The level a plain line says it has, or undefined when it says none. Every line of every run
 * passes here: a line that cannot say one is left after a character or two, without a regex.
 */
export function lineLevel(line: string): LogLevel | undefined {
  const first = line.charCodeAt(0);
  if (isLetter(first)) {
    if (first === 0x6c || first === 0x74) {
      // `l`, `t`: logfmt's `level=` or `time=`.
      const m = LOGFMT.exec(line);
      if (m) return WORDS[m[2]!.toLowerCase()];
    }
    return wordAt(line, 0) ?? (EXCEPTION.test(line) ? "error" : undefined);
  }
  if (first === 0x5b) {
    // `[`: `[error] …`, or a timestamp inside (`[2026-12-01T10:00:00Z INFO app] …`).
    const second = line.charCodeAt(1);
    if (isLetter(second)) return wordAt(line, 1);
    if (!isDigit(second)) return undefined;
  } else if (first === 0x7b) {
    // `{`: a JSON object.
    if (line.charCodeAt(line.length - 1) !== 0x7d) return undefined;
    const m = JSON_LEVEL.exec(line);
    if (!m) return undefined;
    if (m[1] !== undefined) return WORDS[m[1].toLowerCase()];
    const n = Number(m[2]);
    return n < 30 ? "debug" : n < 40 ? "info" : n < 50 ? "warn" : "error";
  } else if (!isDigit(first) || line.length < 12) {
    // A line that starts with a digit says a level only after a timestamp: a short one cannot
    // (counters and numbers, the commonest such lines, are left at once).
    return undefined;
  }
  const stamp = STAMP.exec(line);
  return stamp ? wordAt(line, stamp[0].length) : undefined;
}

/** The level word at `start` of `line` (3 to 8 letters, then what may end one), if any. */
function wordAt(line: string, start: number): LogLevel | undefined {
  let end = start;
  while (end - start <= 8 && isLetter(line.charCodeAt(end))) end++;
  const length = end - start;
  if (length < 3 || length > 8) return undefined;
  const written = WRITTEN.get(line.slice(start, end));
  if (!written) return undefined;
  const next = line.charCodeAt(end);
  // `:` or `]` end any level word; a space, a tab, `|` or the line's end only one in capitals.
  if (next === 0x3a || next === 0x5d) return written.level;
  if (!written.capitals) return undefined;
  return Number.isNaN(next) || next === 0x20 || next === 0x09 || next === 0x7c
    ? written.level
    : undefined;
}

/** Whether a character code is an ASCII letter. */
function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** Whether a character code is an ASCII digit. */
function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
