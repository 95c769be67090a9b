import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, expect, test } from "vitest";
import type { StateReportJson } from "../../src/core/index.ts";
import {
  type JournalReport,
  openReportJournal,
  type ReportJournalOptions,
} from "../../src/worker/index.ts";
import { tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";
import { eventually } from "./helpers.ts";

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

const API = "http://127.0.0.1:4200";

function open(dir: string, more: Partial<ReportJournalOptions> = {}) {
  const { logger, said } = listening();
  const journal = openReportJournal(dir, { logger, api: API, ...more });
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
    const j = openReportJournal(${JSON.stringify(dir)}, { logger: console, api: ${JSON.stringify(API)} });
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
  expect(theirs).toMatch(new RegExp(`^${hostname()}@${writer.pid}-\\d+-1\\.jsonl$`));

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
  // Its header and the three reports.
  expect(readFileSync(second.journal.path, "utf8").trim().split("\n")).toHaveLength(4);
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
  ).toEqual([undefined, 1, 2, id, ""]);
});

test("it is bounded: lines stop being kept at three quarters, states at the most, saying so once", () => {
  const dir = folder();
  const { journal, said } = open(dir, { maxBytes: 4096 });
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

test("while its worker lives the file stays open, cut back to its header when nothing is owed; it is gone after an idle spell and at close", async () => {
  const dir = folder();
  const { journal } = open(dir, { idleMs: 200 });
  expect(existsSync(journal.path)).toBe(false);
  const one = journal.add(state("a", "RUNNING"))!;
  const inode = statSync(journal.path).ino;
  journal.remove(one);
  // The same file, holding only the server it is owed to: a worker killed now owes nothing.
  expect(statSync(journal.path).ino).toBe(inode);
  expect(readFileSync(journal.path, "utf8")).toBe(`{"api":"${API}"}\n`);
  expect(open(dir).journal.recovered).toEqual([]);
  journal.remove(journal.add(state("a", "COMPLETED"))!);
  expect(statSync(journal.path).ino).toBe(inode);
  await eventually(() => !existsSync(journal.path), 5000, "the idle journal removed");
  // Reports after the idle spell open it again; close removes it when nothing is owed.
  journal.remove(journal.add(state("b", "RUNNING"))!);
  expect(existsSync(journal.path)).toBe(true);
  journal.close();
  expect(readdirSync(dir)).toEqual([]);
});

test("one request's reports are acknowledged in one line; a recovering worker resends none of them", () => {
  const dir = folder();
  const { journal } = open(dir);
  journal.add(state("stays", "RUNNING"));
  const batch = [1, 11, 21].map((first) => journal.add(lines("b", first, 10))!);
  journal.remove(batch);
  const written = readFileSync(journal.path, "utf8").trim().split("\n");
  expect(written).toHaveLength(6);
  expect(JSON.parse(written.at(-1)!)).toEqual({ ack: batch });
  // As if its worker had been killed now: the next one takes only what is still owed.
  const left = join(dir, `${hostname()}@${deadPid()}-1-1.jsonl`);
  writeFileSync(left, readFileSync(journal.path));
  const next = open(dir).journal;
  expect(next.recovered.map((e) => e.report)).toEqual([state("stays", "RUNNING")]);
});

test("a report that stays while many pass keeps the file small", () => {
  const { journal } = open(folder());
  const stays = journal.add(state("stays", "RUNNING"))!;
  for (let i = 0; i < 5000; i++) journal.remove(journal.add(lines("b", i * 10 + 1, 10))!);
  expect(journal.size).toBe(1);
  // Acknowledgements and delivered batches are dropped as the file is rewritten.
  expect(statSync(journal.path).size).toBeLessThan(2 * 1024 * 1024);
  journal.remove(stays);
  journal.close();
  expect(readdirSync(join(journal.path, ".."))).toEqual([]);
});

test("journals of another host, and journals owed to another server, are left in place, saying so once", () => {
  const dir = folder();
  mkdirSync(dir);
  const body = (api: string) =>
    `{"api":"${api}"}\n${JSON.stringify({ id: 1, report: state("a", "COMPLETED") })}\n`;
  // On another host a pid says nothing here: its writer may well run.
  const ours = `${hostname()}@${deadPid()}`;
  const files = {
    [`elsewhere.example@${process.pid}-1-1.jsonl`]: body(API),
    [`elsewhere.example@${deadPid()}-1-1.jsonl`]: body(API),
    [`${ours}-1-1.jsonl`]: body("http://10.0.0.9:4200"),
    [`${ours}-1-2.jsonl`]: body("http://10.0.0.9:4200/"),
    [`${ours}-1-3.jsonl`]: body(`${API}/`),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const { journal, said } = open(dir);
  // Only this host's journal owed to this server is taken.
  expect(journal.recovered.map((e) => e.report)).toEqual([state("a", "COMPLETED")]);
  expect(said).toEqual([
    `${dir} holds undelivered reports of workers on elsewhere.example: they are left for a worker started on that host`,
    `${dir} holds 2 journal(s) of undelivered reports owed to orch at http://10.0.0.9:4200, not ${API}: they are left in place, for a worker started with --api http://10.0.0.9:4200 in this folder`,
  ]);
  expect(readdirSync(dir).sort()).toEqual(
    [...Object.keys(files).slice(0, 4), journal.path.split("/").at(-1)!].sort(),
  );
});
