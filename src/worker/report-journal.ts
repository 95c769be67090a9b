import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { fsReason, type LogBatchJson, type StateReportJson } from "../core/index.ts";
import { existing, headerLine, hostInName, takeOver } from "./journal-files.ts";
import { processStartTime } from "./process-tree.ts";
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
  /** The API acknowledged (or refused) reports, in one answer: they are kept no more. */
  remove(ids: number | number[]): void;
  /** Reports kept. */
  readonly size: number;
  /** Stop writing; a journal left with nothing owed in it is removed. */
  close(): void;
}

export interface ReportJournalOptions {
  logger: WorkerLogger;
  /** The server this worker reports to (--api): only journals owed to it are taken over. */
  api: string;
  /** This host's name. Default os.hostname(). */
  host?: string;
  /** How long a journal with nothing owed stays open before it is removed. Default 10 s. */
  idleMs?: number;
  /** Most bytes of reports kept at once. Default 32 MiB; log lines may fill three quarters. */
  maxBytes?: number;
}

/** Where a remote worker keeps its journal: reports/ beside its bundle cache (`.orch-worker/`). */
export function journalDir(bundlesDir: string): string {
  return join(dirname(bundlesDir), "reports");
}

/** Journals this process has opened: each has a name of its own. */
let opened = 0;

/**
 * Open the journal of this worker process in `dir` (the worker's own folder, beside its bundle
 * cache), taking over those of this host's workers that are gone and that owe the same server
 * (journal-files.ts). Why one file per process, named by its host, pid and start time: workers
 * may share a folder, and a worker's next start must tell a journal whose writer is gone (to
 * resend) from one a running worker writes. A gone writer's file is claimed by renaming it
 * first: two workers starting at once never both resend it.
 *
 * The format is JSON lines, appended: a header `{"api":URL}` naming the server the reports are
 * owed to, `{"id":N,"report":{…}}` before a report is sent, `{"ack":[N,…]}` once the API answered
 * the request that carried them. Each line is one write(2) of an open file: a worker that is
 * killed loses no line it wrote (the kernel has it), and at worst leaves its last line
 * half-written, which the next reader skips, saying so. A line is not fsync'd (a machine that
 * loses power may lose the last reports; a process that dies does not).
 *
 * Why the file stays open: orch usually keeps up, so a report is acknowledged moments after it
 * is added, once per chunk of a run's output; opening (and removing) the file for each cost
 * about 30 times the append. When nothing is owed the file is cut back to its header, and
 * removed once it has stayed so for `idleMs` (and at close): a worker killed while idle leaves
 * nothing, or a journal that owes nothing. When acknowledgements outgrow what is kept, it is
 * rewritten with what is kept (by rename), so it stays about the size of what is undelivered,
 * which `maxBytes` bounds: past it, reports are kept in memory only, and the worker says so once.
 */
export function openReportJournal(dir: string, options: ReportJournalOptions): ReportJournal {
  const { logger } = options;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const idleMs = options.idleMs ?? 10_000;
  const host = hostInName(options.host ?? hostname());
  const key = `${host}@${process.pid}-${processStartTime(process.pid) ?? "x"}-${++opened}`;
  const path = join(dir, `${key}.jsonl`);
  const header = headerLine(options.api);
  const headerBytes = Buffer.byteLength(header);
  /** What is kept: each report's line as written, by id (ids grow: insertion order is id order). */
  const kept = new Map<number, string>();
  let keptBytes = 0;
  let fileBytes = 0;
  let nextId = 1;
  /** The file, open for appends from the first report until close (or an idle spell). */
  let fd: number | null = null;
  /** Writing failed once: reports are kept in memory only from then on. */
  let failed = false;
  let warnedFull = false;
  let idle: ReturnType<typeof setTimeout> | null = null;

  const keep = (id: number, line: string) => {
    kept.set(id, line);
    keptBytes += Buffer.byteLength(line);
  };
  const recovered = takeOver(dir, { key, host, api: options.api, logger }).map((report) => {
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
    if (idle) clearTimeout(idle);
    idle = null;
    if (fd !== null) closeSync(fd);
    fd = null;
    fileBytes = 0;
    if (unlink) rmSync(path, { force: true });
  };

  /** Write the file anew with what is kept: a temporary file, synced, renamed over it. */
  const rewrite = () => {
    const tmp = `${path}.tmp`;
    const text = header + [...kept.values()].join("");
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

  /** Nothing is owed: cut the file back to its header; remove it if it stays so for idleMs. */
  const empty = () => {
    if (fd === null) return;
    ftruncateSync(fd, headerBytes);
    fileBytes = headerBytes;
    idle ??= setTimeout(() => {
      idle = null;
      if (kept.size === 0) write("remove", () => shut(true));
    }, idleMs);
    idle.unref?.();
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
        if (idle) clearTimeout(idle);
        idle = null;
        if (fd === null) {
          mkdirSync(dir, { recursive: true, mode: 0o700 });
          fd = openSync(path, "a", 0o600);
          ftruncateSync(fd, 0);
          writeSync(fd, header);
          fileBytes = headerBytes;
        }
        writeSync(fd, line);
        fileBytes += Buffer.byteLength(line);
      });
      if (!written) return null;
      keep(id, line);
      return id;
    },
    remove(ids) {
      const gone: number[] = [];
      for (const id of typeof ids === "number" ? [ids] : ids) {
        const line = kept.get(id);
        if (line === undefined) continue;
        kept.delete(id);
        keptBytes -= Buffer.byteLength(line);
        gone.push(id);
      }
      if (keptBytes < maxBytes / 2) warnedFull = false;
      if (fd === null || gone.length === 0) return;
      // Everything delivered: only the header. Acknowledgements outgrowing what is kept: anew.
      if (kept.size === 0) write("empty", empty);
      else if (fileBytes > 2 * keptBytes + 1024 * 1024) write("rewrite", rewrite);
      else {
        const line = `${JSON.stringify({ ack: gone.length === 1 ? gone[0] : gone })}\n`;
        write("write", () => {
          if (fd !== null) fileBytes += writeSync(fd, line);
        });
      }
    },
    get size() {
      return kept.size;
    },
    close() {
      // What is kept stays for the next worker started in this folder.
      write("close", () => shut(kept.size === 0));
      if (idle) clearTimeout(idle);
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
