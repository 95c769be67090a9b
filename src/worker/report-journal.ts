import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { fsReason, type LogLineInput, type StateReportJson } from "../core/index.ts";
import { isSameProcess, processStartTime } from "./process-tree.ts";
import type { WorkerLogger } from "./worker-logger.ts";

/** A report a remote worker owes the API, as it is sent: a run's state, or a batch of its lines. */
export type JournalReport =
  | { kind: "state"; workerId: string; runId: string; report: StateReportJson }
  | {
      kind: "logs";
      workerId: string;
      runId: string;
      attempt: number;
      first: number;
      lines: LogLineInput[];
    };

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

/**
 * `PID-START-K(.N).jsonl`: the process that wrote it (its pid and start time: processStartTime),
 * its K-th journal (a process may run several workers), N-th journal taken over from others.
 */
const JOURNAL_NAME = /^(\d+)-([0-9a-z]+)-\d+(?:\.\d+)?\.jsonl(\.tmp)?$/;

/** Journals this process has opened: each has a name of its own. */
let opened = 0;

/**
 * Open the journal of this worker process in `dir` (the worker's own folder, beside its bundle
 * cache), taking over those of workers that are gone. Why one file per process, named by its pid
 * and start time: two workers may share a folder, and a worker's next start must tell a journal
 * whose writer is gone (to resend) from one a running worker is writing (not its to touch). A gone
 * writer's file is claimed by renaming it first, so two workers starting at once never both resend
 * it.
 *
 * The format is JSON lines, appended: `{"id":N,"report":{…}}` before a report is sent, `{"ack":N}`
 * once the API answered it. Each line is one write(2) of an open file: a worker that is killed
 * loses no line it wrote (the kernel has it), and at worst leaves its last line half-written,
 * which the next reader skips, saying so. A line is not fsync'd (a machine that loses power may
 * lose the last reports; a process that dies does not). When nothing is kept the file is emptied,
 * and when acknowledgements outgrow what is kept it is rewritten with what is kept (by rename), so
 * the file stays about the size of what is undelivered, which `maxBytes` bounds: past it, reports
 * are kept in memory only, as they were before the journal, and the worker says so once.
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
  let fd: number | null = null;
  let warnedFull = false;

  const recovered = takeOver(dir, key, logger).map((report) => {
    const id = nextId++;
    const line = `${JSON.stringify({ id, report })}\n`;
    kept.set(id, line);
    keptBytes += Buffer.byteLength(line);
    return { id, report };
  });

  /** Something failed on disk: from now on reports are kept in memory only. */
  const broken = (what: string, error: unknown) => {
    logger.warn(
      `cannot write the journal of undelivered reports ${path} (${what}: ${fsReason(error)}); states and log lines not yet delivered are kept in memory only, and lost if this worker stops before orch has them`,
    );
    if (fd !== null) closeSync(fd);
    fd = null;
  };

  /** Write the file anew with what is kept: a temporary file, synced, renamed over it. */
  const rewrite = () => {
    const tmp = `${path}.tmp`;
    const text = [...kept.values()].join("");
    const out = openSync(tmp, "w", 0o600);
    try {
      writeSync(out, text);
      fsyncSync(out);
    } finally {
      closeSync(out);
    }
    renameSync(tmp, path);
    if (fd !== null) closeSync(fd);
    fd = openSync(path, "a", 0o600);
    fileBytes = Buffer.byteLength(text);
  };

  const append = (line: string) => {
    if (fd === null) return false;
    try {
      writeSync(fd, line);
      fileBytes += Buffer.byteLength(line);
      return true;
    } catch (error) {
      broken("write", error);
      return false;
    }
  };

  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    rewrite();
    for (const name of readdirSync(dir)) {
      if (name.startsWith(`${key}.`) && name !== `${key}.jsonl`) unlinkSync(join(dir, name));
    }
  } catch (error) {
    broken("open", error);
  }

  return {
    path,
    recovered,
    add(report) {
      if (fd === null) return null;
      const id = nextId++;
      const line = `${JSON.stringify({ id, report })}\n`;
      const bytes = Buffer.byteLength(line);
      const room = report.kind === "logs" ? Math.floor(maxBytes * 0.75) : maxBytes;
      if (keptBytes + bytes > room) {
        if (!warnedFull) {
          warnedFull = true;
          logger.warn(
            `the journal of undelivered reports ${path} holds ${Math.round(keptBytes / 1024)} KiB, its most: further ${report.kind === "logs" ? "log lines" : "states"} are kept in memory only until orch has taken some`,
          );
        }
        return null;
      }
      if (!append(line)) return null;
      kept.set(id, line);
      keptBytes += bytes;
      return id;
    },
    remove(id) {
      const line = kept.get(id);
      if (line === undefined) return;
      kept.delete(id);
      keptBytes -= Buffer.byteLength(line);
      if (keptBytes < maxBytes / 2) warnedFull = false;
      if (fd === null) return;
      try {
        if (kept.size === 0) {
          // Everything is delivered: the file starts again empty (appends go to its end).
          ftruncateSync(fd, 0);
          fileBytes = 0;
        } else if (fileBytes > 2 * keptBytes + 1024 * 1024) rewrite();
        else append(`${JSON.stringify({ ack: id })}\n`);
      } catch (error) {
        broken("acknowledge", error);
      }
    },
    get size() {
      return kept.size;
    },
    close() {
      if (fd === null) return;
      closeSync(fd);
      fd = null;
      if (kept.size === 0) {
        try {
          unlinkSync(path);
        } catch {
          // Gone already: nothing to remove.
        }
      }
    },
  };
}

/**
 * Claim the journals of gone writers in `dir` (rename to this writer's `key`), read what they
 * kept, oldest journal first, and return it; the claimed files are removed once the caller has
 * written it anew. Half-written or unreadable lines are skipped, saying where.
 */
function takeOver(dir: string, key: string, logger: WorkerLogger): JournalReport[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const claimed: { path: string; mtime: number; from: string }[] = [];
  for (const name of names) {
    const match = JOURNAL_NAME.exec(name);
    // Its writer runs (this process too, for its other journals): not ours to take.
    if (!match) continue;
    const [, pid, started, tmp] = match;
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
