import { expect, test } from "vitest";
import { lineLevel } from "../../src/core/index.ts";

// The level a plain line says it has, as loggers and tools write it; none for anything else.

test("a leading level word, as Python's logging, Go's slog, Rust's loggers and most tools write it", () => {
  const cases: [string, string | undefined][] = [
    ["DEBUG:root:details", "debug"],
    ["INFO:root:just info", "info"],
    ["WARNING:root:a warning", "warn"],
    ["ERROR:root:it failed", "error"],
    ["CRITICAL:root:down", "error"],
    ["INFO hello", "info"],
    ["WARN  disk 91% full", "warn"],
    ["ERROR", "error"],
    ["[error] no such table", "error"],
    ["[INFO] Scanning for projects...", "info"],
    ["[warning] deprecated option", "warn"],
    ["error: pathspec 'x' did not match any file(s) known to git", "error"],
    ["fatal: not a git repository", "error"],
    ["warning: LF will be replaced by CRLF", "warn"],
    ["Error: ENOENT: no such file or directory", "error"],
    ["2026/12/01 10:00:00 INFO hello count=3", "info"],
    ["2026/12/01 10:00:00 ERROR lost the connection", "error"],
    ["2026-12-01 10:00:00,123 WARNING low memory", "warn"],
    ["2026-12-01 10:00:00,123 - ERROR - boom", "error"],
    ["2026-12-01T10:00:00.000000Z  INFO app: started", "info"],
    ["[2026-12-01T10:00:00Z ERROR app] failed", "error"],
    ["[2026-12-01 10:00:00] WARN slow query", "warn"],
    ["10:00:00 DEBUG tick", "debug"],
    ["TRACE entering", "debug"],
    ["NOTICE: ready", "info"],
    ["PANIC: unrecoverable", "error"],
  ];
  expect(cases.map(([line]) => [line, lineLevel(line)])).toEqual(cases);
});

test("logfmt and JSON lines with a level field", () => {
  const cases: [string, string | undefined][] = [
    ["level=warn msg=careful", "warn"],
    ['time="2026-12-01T10:00:00Z" level=error msg="lost it"', "error"],
    ["time=2026-12-01T10:00:00.000Z level=INFO msg=hello", "info"],
    ['{"level":"warn","msg":"careful"}', "warn"],
    ['{"time":"2026-12-01T10:00:00Z","level":"ERROR","msg":"x"}', "error"],
    ['{"level":30,"time":1,"msg":"pino info"}', "info"],
    ['{"level":50,"msg":"pino error"}', "error"],
    ['{"level":20,"msg":"pino debug"}', "debug"],
    ['{"severity":"WARNING","message":"cloud logging"}', "warn"],
    ['{"levelname":"ERROR","message":"python-json-logger"}', "error"],
  ];
  expect(cases.map(([line]) => [line, lineLevel(line)])).toEqual(cases);
});

test("a line that says no level has none: sentences, numbers, data, progress", () => {
  for (const line of [
    "",
    "1",
    "123456",
    "hello",
    "Error handling is enabled",
    "Info about the run follows",
    "errors: 0",
    "information",
    "processing item 12 of 40",
    "50% done",
    "2026-12-01 a date and nothing else",
    '{"rows": 3}',
    '{"level": "chatty"}',
    "[1/3] building",
    "TypeError in the middle: not leading",
    "  at foo (etl.ts:2:18)",
    "level=verbose msg=x",
  ]) {
    expect([line, lineLevel(line)]).toEqual([line, undefined]);
  }
});

test("an exception's headline is an error, its frames say nothing", () => {
  const cases: [string, string | undefined][] = [
    ["Traceback (most recent call last):", "error"],
    ['  File "etl.py", line 3, in <module>', undefined],
    ["    raise ValueError('bad row')", undefined],
    ["ValueError: bad row", "error"],
    ["KeyError: 'day'", "error"],
    ["json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)", "error"],
    ["TypeError: Cannot read properties of undefined (reading 'x')", "error"],
    ["java.lang.IllegalStateException: closed", "error"],
    ["RuntimeException: boom", "error"],
    ["Errors: none", undefined],
    ["MyErrorHandler: ready", undefined],
  ];
  expect(cases.map(([line]) => [line, lineLevel(line)])).toEqual(cases);
});
