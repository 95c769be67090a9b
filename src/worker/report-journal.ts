import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fsReason, type LogBatchJson, type StateReportJson } from "../core/index.ts";
import { isSameProcess, processStartTime } from "./process-tree.ts";
import type { WorkerLogger } from "./worker-logger.ts";

/** A report a remote worker owes the API, as it is sent: a run's state, or a batch of its lines. */
export type JournalReport = { workerId: string; runId: string } & (
  | { kind: "state"; report: StateReportJson }
  | ({ kind: "logs" } & LogBatchJson)
);

/** A report kept in the journal, under the id that removes it. */
export interface Journaled {
  id: number;
  report: JournalReport;
}

/** A remote worker's undelivered reports, on disk: what a stopped or crashed worker still owed. */
export interface ReportJournal {
  /** The file this worker writes. */
  readonly path: string;
  /**
   * What workers that used this folder before (and are gone) left undelivered, in the order they
   * wrote it (so per run, in order): this journal keeps them now, under these ids.
   */
  readonly recovered: Journaled[];
  /** Keep a report before it is sent: its id, or null when it is kept in memory only. */
  add(report: JournalReport): number | null;
  /** The API acknowledged (or refused) a report: it is kept no more. */
  remove(id: number): void;
  /** Reports kept. */
  readonly size: number;
  /** Stop writing; a journal left with nothing in it is removed. */
  close(): void;
}

export interface ReportJournalOptions {
  logger: WorkerLogger;
  /** Most bytes of reports kept at once. Default 32 MiB; log lines may fill three quarters. */
  maxBytes?: number;
}

/** Where a remote worker keeps its journal: reports/ beside its bundle cache (`.orch-worker/`). */
export function journalDir(bundlesDir: string): string {
  return join(dirname(bundlesDir), "reports");
}

/** `PID-START-K(.N).jsonl`: its writer's pid and start time, its K-th journal, N-th taken over. */
const JOURNAL_NAME = /^(\d+)-([0-9a-z]+)-\d+(?:\.\d+)?\.jsonl(\.tmp)?$/;

/** Journals this process has opened: each has a name of its own. */
let opened = 0;

/**
 * Open the journal of this worker process in `dir` (the worker's own folder, beside its bundle
 * cache), taking over those of workers that are gone. Why one file per process, named by its pid
 * and start time: two workers may share a folder, and a worker's next start must tell a journal
 * whose writer is gone (to resend) from one a running worker writes. A gone writer's file is
 * claimed by renaming it first: two workers starting at once never both resend it.
 *
 * The format is JSON lines, appended: `{"id":N,"report":{…}}` before a report is sent, `{"ack":N}`
 * once the API answered it. Each line is one write(2) of an open file: a worker that is killed
 * loses no line it wrote (the kernel has it), and at worst leaves its last line half-written,
 * which the next reader skips, saying so. A line is not fsync'd (a machine that loses power may
 * lose the last reports; a process that dies does not). The file exists only while something is
 * owed (a worker killed with nothing owed leaves none); when acknowledgements outgrow what is
 * kept, it is rewritten with what is kept (by rename), so it stays about the size of what is
 * undelivered, which `maxBytes` bounds: past it, reports are kept in memory only, as they were
 * before the journal, and the worker says so once.
 */
export function openReportJournal(dir: string, options: ReportJournalOptions): ReportJournal {
  const { logger } = options;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const key = `${process.pid}-${processStartTime(process.pid) ?? "x"}-${++opened}`;
  const path = join(dir, `${key}.jsonl`);
  /** What is kept: each report's line as written, by id (ids grow: insertion order is id order). */
  const kept = new Map<number, string>();
  let keptBytes = 0;
  let fileBytes = 0;
  let nextId = 1;
  /** The file, open for appends while something is kept in it. */
  let fd: number | null = null;
  /** Writing failed once: reports are kept in memory only from then on. */
  let failed = false;
  let warnedFull = false;

  const keep = (id: number, line: string) => {
    kept.set(id, line);
    keptBytes += Buffer.byteLength(line);
  };
  const recovered = takeOver(dir, key, logger).map((report) => {
    const id = nextId++;
    keep(id, `${JSON.stringify({ id, report })}\n`);
    return { id, report };
  });

  /** Run a write; if it fails, say so once and keep reports in memory only from then on. */
  const write = (what: string, act: () => void) => {
    if (failed) return false;
    try {
      act();
      return true;
    } catch (error) {
      failed = true;
      logger.warn(
        `cannot ${what} the journal of undelivered reports ${path} (${fsReason(error)}); states and log lines not yet delivered are kept in memory only, and lost if this worker stops before orch has them`,
      );
      return false;
    }
  };
  const shut = (unlink: boolean) => {
    if (fd !== null) closeSync(fd);
    fd = null;
    fileBytes = 0;
    if (unlink) rmSync(path, { force: true });
  };

  /** Write the file anew with what is kept: a temporary file, synced, renamed over it. */
  const rewrite = () => {
    const tmp = `${path}.tmp`;
    const text = [...kept.values()].join("");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const out = openSync(tmp, "w", 0o600);
    try {
      writeSync(out, text);
      fsyncSync(out);
    } finally {
      closeSync(out);
    }
    renameSync(tmp, path);
    shut(false);
    fd = openSync(path, "a", 0o600);
    fileBytes = Buffer.byteLength(text);
  };

  // What was taken over is in this journal now: the claimed go (unless it could not be written).
  if (kept.size === 0 || write("write", rewrite)) {
    for (const name of existing(dir)) {
      if (name.startsWith(`${key}.`) && name !== `${key}.jsonl`) rmSync(join(dir, name));
    }
  }

  return {
    path,
    recovered,
    add(report) {
      const id = nextId++;
      const line = `${JSON.stringify({ id, report })}\n`;
      const room = report.kind === "logs" ? Math.floor(maxBytes * 0.75) : maxBytes;
      if (keptBytes + Buffer.byteLength(line) > room) {
        if (!warnedFull) {
          warnedFull = true;
          logger.warn(
            `the journal of undelivered reports ${path} holds ${Math.round(keptBytes / 1024)} KiB, its most: further ${report.kind === "logs" ? "log lines" : "states"} are kept in memory only until orch has taken some`,
          );
        }
        return null;
      }
      const written = write("write", () => {
        if (fd === null) {
          mkdirSync(dir, { recursive: true, mode: 0o700 });
          fd = openSync(path, "a", 0o600);
        }
        writeSync(fd, line);
        fileBytes += Buffer.byteLength(line);
      });
      if (!written) return null;
      keep(id, line);
      return id;
    },
    remove(id) {
      const line = kept.get(id);
      if (line === undefined) return;
      kept.delete(id);
      keptBytes -= Buffer.byteLength(line);
      if (keptBytes < maxBytes / 2) warnedFull = false;
      if (fd === null) return;
      // Everything delivered: no file. Acknowledgements outgrowing what is kept: written anew.
      if (kept.size === 0) write("remove", () => shut(true));
      else if (fileBytes > 2 * keptBytes + 1024 * 1024) write("rewrite", rewrite);
      else write("write", () => fd !== null && writeSync(fd, `${JSON.stringify({ ack: id })}\n`));
    },
    get size() {
      return kept.size;
    },
    close() {
      // What is kept stays for the next worker started in this folder.
      write("close", () => shut(kept.size === 0));
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/** The names in `dir` (none when it is not there). */
function existing(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Claim the journals of gone writers in `dir` (rename to this writer's `key`), read what they
 * kept, oldest journal first, and return it; the claimed files are removed once the caller has
 * written it anew. Half-written or unreadable lines are skipped, saying where.
 */
function takeOver(dir: string, key: string, logger: WorkerLogger): JournalReport[] {
  const claimed: { path: string; mtime: number; from: string }[] = [];
  for (const name of existing(dir)) {
    const match = JOURNAL_NAME.exec(name);
    if (!match) continue;
    const [, pid, started, tmp] = match;
    // Its writer runs (this process too, for its other journals): not ours to take.
    if (isSameProcess(Number(pid), started === "x" ? null : started!)) continue;
    const from = join(dir, name);
    try {
      if (tmp) {
        // A rewrite its writer never finished: the journal it was replacing is still there.
        unlinkSync(from);
        continue;
      }
      const to = join(dir, `${key}.${claimed.length + 1}.jsonl`);
      renameSync(from, to);
      claimed.push({ path: to, mtime: statSync(to).mtimeMs, from });
    } catch {
      // Another worker claimed it first.
    }
  }
  claimed.sort((a, b) => a.mtime - b.mtime);
  return claimed.flatMap(({ path, from }) => readJournal(path, from, logger));
}

/** The reports a journal file still keeps, in the order they were written. */
function readJournal(path: string, shownAs: string, logger: WorkerLogger): JournalReport[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    logger.warn(`cannot read the journal ${shownAs}: ${fsReason(error)}; its reports are lost`);
    return [];
  }
  const kept = new Map<number, JournalReport>();
  const lines = text.split("\n");
  const last = lines.pop();
  if (last) {
    logger.warn(
      `${shownAs}:${lines.length + 1}: skipped a half-written last line (its worker stopped while writing it): the report it began was never sent`,
    );
  }
  lines.forEach((line, i) => {
    if (!line) return;
    const entry = parseLine(line);
    if (entry === null) logger.warn(`${shownAs}:${i + 1}: not a journal line; skipped`);
    else if ("ack" in entry) kept.delete(entry.ack);
    else kept.set(entry.id, entry.report);
  });
  return [...kept.values()];
}

function parseLine(line: string): Journaled | { ack: number } | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (Number.isInteger(v.ack)) return { ack: v.ack as number };
  const r = v.report as Record<string, unknown> | undefined;
  const ok =
    Number.isInteger(v.id) &&
    typeof r === "object" &&
    r !== null &&
    typeof r.workerId === "string" &&
    typeof r.runId === "string" &&
    ((r.kind === "state" && typeof r.report === "object" && r.report !== null) ||
      (r.kind === "logs" &&
        Number.isInteger(r.attempt) &&
        Number.isInteger(r.first) &&
        Array.isArray(r.lines)));
  return ok ? { id: v.id as number, report: r as unknown as JournalReport } : null;
}
