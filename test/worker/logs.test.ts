import { afterEach, beforeEach, expect, test } from "vitest";
import { createMasker, encodeFailure, encodeLogRecord } from "../../src/core/index.ts";
import { countLogs, listLogs } from "../../src/store/index.ts";
import { maskLines } from "../../src/worker/execute-attempt.ts";
import { type CapturedLine, createLogCapture } from "../../src/worker/index.ts";
import { createLab, type Lab } from "./helpers.ts";

let lab: Lab;
beforeEach(() => {
  lab = createLab();
});
afterEach(async () => {
  await lab.cleanup();
});

test("chatty output is stored in full, in order, with stream and time", async () => {
  const d = lab.deploy({ name: "chatty", command: ["sh", "-c", "seq 1 200000; echo tail >&2"] });
  await lab.startWorker();
  const run = lab.trigger(d);
  await lab.waitFor(run.id, "COMPLETED");
  expect(countLogs(lab.store, run.seq)).toBe(200_001);
  const first = listLogs(lab.store, run.seq, { limit: 2 });
  expect(first.map((l) => [l.stream, l.line])).toEqual([
    ["stdout", "1"],
    ["stdout", "2"],
  ]);
  expect(first[0]!.at).toBeGreaterThan(Date.now() - 60_000);
  const page = listLogs(lab.store, run.seq, { after: first[1]!.id, limit: 3 });
  expect(page.map((l) => l.line)).toEqual(["3", "4", "5"]);
  const lines = lab.logs(run);
  expect(lines.filter((l) => l !== "tail").every((l, i) => l === String(i + 1))).toBe(true);
  expect(lines).toContain("tail");
});

test("a partial last line and invalid UTF-8 are kept", async () => {
  const d = lab.deploy({
    name: "odd",
    command: ["sh", "-c", "printf 'caf\\303\\251\\r\\nbad \\377\\376 bytes\\nno newline'"],
  });
  await lab.startWorker();
  const run = lab.trigger(d);
  await lab.waitFor(run.id, "COMPLETED");
  expect(lab.logs(run)).toEqual(["café", "bad \uFFFD\uFFFD bytes", "no newline"]);
});

test("output past the cap ends in one marker line; the run keeps going and completes", async () => {
  const d = lab.deploy({ name: "flood", command: ["sh", "-c", "seq 1 100000; echo after >&2"] });
  await lab.startWorker({ maxLogChars: 1000 });
  const run = lab.trigger(d);
  const done = await lab.waitFor(run.id, "COMPLETED");
  expect(done.exit_code).toBe(0);
  const rows = listLogs(lab.store, run.seq, { limit: 100_000 });
  expect(rows.at(-1)).toMatchObject({ stream: "orch" });
  expect(rows.at(-1)!.line).toMatch(/reached the cap/);
  expect(rows.filter((r) => r.stream === "orch").length).toBe(1);
  expect(rows.length).toBeLessThan(300);
});

test("a character split across two reads is decoded whole", () => {
  const got: CapturedLine[] = [];
  const capture = createLogCapture({ maxChars: 1e6, now: () => 1, onLines: (l) => got.push(...l) });
  const bytes = new TextEncoder().encode("€uro\nx");
  capture.stdout.push(bytes.slice(0, 1));
  capture.stdout.push(bytes.slice(1));
  capture.stdout.end();
  expect(got.map((l) => l.line)).toEqual(["€uro", "x"]);
});

test("a flow's record lines keep their level and fields; its failure is read even past the cap", () => {
  const got: CapturedLine[] = [];
  const capture = createLogCapture({ maxChars: 100, now: () => 1, onLines: (l) => got.push(...l) });
  const enc = new TextEncoder();
  const record = encodeLogRecord({ level: "warn", line: "careful", fields: { rows: 3 } });
  capture.stderr.push(enc.encode(`${record}\n\x1eorch{not json\nplain\n`));
  capture.stdout.push(enc.encode("x".repeat(50)));
  const failure = encodeFailure("the disk is full");
  // The failure record arrives past the cap, split across two reads.
  capture.stderr.push(enc.encode(`${failure.slice(0, 10)}`));
  capture.stderr.push(enc.encode(`${failure.slice(10)}\n`));
  capture.stdout.end();
  capture.stderr.end();
  expect(got.map((l) => [l.stream, l.line, l.level, l.fields])).toEqual([
    ["stderr", "careful", "warn", { rows: 3 }],
    ["stderr", "\x1eorch{not json", undefined, undefined],
    ["stderr", "plain", undefined, undefined],
    ["orch", expect.stringMatching(/reached the cap/), undefined, undefined],
  ]);
  expect(capture.failure).toBe("the disk is full");
});

test("a record's fields are masked like its text", () => {
  const mask = createMasker(["hunter2-secret"]);
  const [masked] = maskLines(
    [{ at: 1, stream: "stdout", line: "login", level: "info", fields: { pw: "hunter2-secret" } }],
    mask,
  );
  expect(masked).toEqual({
    at: 1,
    stream: "stdout",
    line: "login",
    level: "info",
    fields: { pw: "****" },
  });
});

test("a record's fields past 8 KB are replaced by a note; its line is kept", () => {
  const got: CapturedLine[] = [];
  const capture = createLogCapture({ maxChars: 1e6, now: () => 1, onLines: (l) => got.push(...l) });
  const big = encodeLogRecord({ level: "info", line: "big", fields: { blob: "x".repeat(10_000) } });
  capture.stdout.push(new TextEncoder().encode(`${big}\n`));
  expect(got).toEqual([
    {
      at: 1,
      stream: "stdout",
      line: "big",
      level: "info",
      fields: { fields_omitted: expect.stringMatching(/characters of fields, over the 8192 kept/) },
    },
  ]);
});
