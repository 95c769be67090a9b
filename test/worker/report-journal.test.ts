import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, expect, test } from "vitest";
import type { StateReportJson } from "../../src/core/index.ts";
import { type JournalReport, openReportJournal } from "../../src/worker/index.ts";
import { tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function folder() {
  const t = tempDir("orch-journal-");
  cleanups.push(t.cleanup);
  return join(t.dir, "reports");
}

/** A logger that keeps what it was told. */
function listening() {
  const said: string[] = [];
  const keep = (...args: unknown[]) => said.push(args.join(" "));
  return { logger: { info: keep, warn: keep, error: keep }, said };
}

function open(dir: string, maxBytes?: number) {
  const { logger, said } = listening();
  const journal = openReportJournal(dir, { logger, ...(maxBytes ? { maxBytes } : {}) });
  cleanups.push(() => journal.close());
  return { journal, said };
}

const state = (runId: string, type: StateReportJson["type"]): JournalReport => ({
  kind: "state",
  workerId: "w1",
  runId,
  report: { type, at: "2026-12-01T10:00:00.000Z" },
});
const lines = (runId: string, first: number, n: number): JournalReport => ({
  kind: "logs",
  workerId: "w1",
  runId,
  attempt: 1,
  first,
  lines: Array.from({ length: n }, (_, i) => ({
    at: 1_796_000_000_000,
    stream: "stdout" as const,
    line: `line ${first + i}`,
  })),
});

/** A pid no process has now (one that has just exited). */
function deadPid(): number {
  const child = Bun.spawnSync(["true"]);
  return child.pid;
}

const JOURNAL_MODULE = resolve(import.meta.dirname, "../../src/worker/report-journal.ts");

test("a journal whose worker runs is left alone; once it is gone, the next takes over what it kept, in order", async () => {
  const dir = folder();
  // A real worker process of its own writes it: three reports, one of them acknowledged.
  const marker = createMarker("journal-writer");
  const script = `
    const { openReportJournal } = await import(${JSON.stringify(JOURNAL_MODULE)});
    const j = openReportJournal(${JSON.stringify(dir)}, { logger: console });
    const at = "2026-12-01T10:00:00.000Z";
    const s = (runId, type) => ({ kind: "state", workerId: "w1", runId, report: { type, at } });
    j.add(s("a", "RUNNING"));
    const b = j.add(s("b", "RUNNING"));
    j.add({ kind: "logs", workerId: "w1", runId: "a", attempt: 1, first: 1, lines: [{ at, stream: "stdout", line: "hi" }] });
    j.add(s("a", "COMPLETED"));
    j.remove(b);
    console.log("ready");
    await new Promise(() => {});
  `;
  const writer = Bun.spawn([process.execPath, "-e", script], {
    env: { ...process.env, ...marker.env },
    stdout: "pipe",
  });
  cleanups.push(async () => {
    marker.kill();
    await writer.exited;
  });
  const reader = writer.stdout.getReader();
  const { value } = await reader.read();
  expect(new TextDecoder().decode(value)).toContain("ready");
  const [theirs] = readdirSync(dir);
  expect(theirs).toMatch(new RegExp(`^${writer.pid}-\\d+-1\\.jsonl$`));

  const first = open(dir);
  expect(first.journal.recovered).toEqual([]);
  first.journal.close();
  expect(readdirSync(dir)).toEqual([theirs]);

  writer.kill("SIGKILL");
  await writer.exited;
  const second = open(dir);
  const got = second.journal.recovered.map((e) =>
    e.report.kind === "state"
      ? `${e.report.runId} ${e.report.report.type}`
      : `${e.report.runId} logs`,
  );
  expect(got).toEqual(["a RUNNING", "a logs", "a COMPLETED"]);
  // Its file is gone; this worker's own holds what it took over.
  expect(readdirSync(dir)).toEqual([`${second.journal.path.split("/").at(-1)}`]);
  expect(readFileSync(second.journal.path, "utf8").trim().split("\n")).toHaveLength(3);
  expect(second.said).toEqual([]);
});

test("a half-written last line and a line that is not the journal's are skipped, saying where; the rest is taken", () => {
  const dir = folder();
  mkdirSync(dir);
  const path = join(dir, `${deadPid()}-1-1.jsonl`);
  const entry = (id: number, report: JournalReport) => JSON.stringify({ id, report });
  writeFileSync(
    path,
    [
      entry(1, state("a", "RUNNING")),
      "not json",
      JSON.stringify({ id: 2, report: { kind: "state" } }),
      entry(3, state("a", "COMPLETED")),
      `{"id":4,"report":{"kind":"sta`,
    ].join("\n"),
  );
  const { journal, said } = open(dir);
  expect(journal.recovered.map((e) => e.report)).toEqual([
    state("a", "RUNNING"),
    state("a", "COMPLETED"),
  ]);
  expect(said).toEqual([
    expect.stringContaining(`${path}:5: skipped a half-written last line`),
    `${path}:2: not a journal line; skipped`,
    `${path}:3: not a journal line; skipped`,
  ]);
  // Written anew without them: what is appended next starts a line of its own.
  const id = journal.add(state("b", "RUNNING"))!;
  expect(
    readFileSync(journal.path, "utf8")
      .split("\n")
      .map((l) => l && JSON.parse(l).id),
  ).toEqual([1, 2, id, ""]);
});

test("it is bounded: lines stop being kept at three quarters, states at the most, saying so once", () => {
  const dir = folder();
  const { journal, said } = open(dir, 4096);
  const ids: number[] = [];
  for (let i = 0; i < 40; i++) {
    const id = journal.add(lines("a", i * 10 + 1, 10));
    if (id === null) break;
    ids.push(id);
  }
  expect(statSync(journal.path).size).toBeLessThanOrEqual(3072);
  expect(ids.length).toBeGreaterThan(0);
  expect(said).toEqual([
    expect.stringMatching(/its most: further log lines are kept in memory only/),
  ]);
  // States still fit, up to the most.
  expect(journal.add(state("a", "COMPLETED"))).not.toBeNull();
  for (const id of ids) journal.remove(id);
  expect(journal.size).toBe(1);
});

test("with nothing owed there is no file; a report that stays while many pass keeps the file small", () => {
  const { journal } = open(folder());
  expect(existsSync(journal.path)).toBe(false);
  const one = journal.add(state("a", "RUNNING"))!;
  expect(existsSync(journal.path)).toBe(true);
  journal.remove(one);
  expect(existsSync(journal.path)).toBe(false);
  const stays = journal.add(state("stays", "RUNNING"))!;
  for (let i = 0; i < 5000; i++) journal.remove(journal.add(lines("b", i * 10 + 1, 10))!);
  expect(journal.size).toBe(1);
  // Acknowledgements and delivered batches are dropped as the file is rewritten.
  expect(statSync(journal.path).size).toBeLessThan(2 * 1024 * 1024);
  journal.remove(stays);
  expect(readdirSync(join(journal.path, ".."))).toEqual([]);
});
