import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
} from "node:fs";
import { join } from "node:path";
import { fsReason } from "../core/index.ts";
import { isSameProcess } from "./process-tree.ts";
import type { Journaled, JournalReport } from "./report-journal.ts";
import type { WorkerLogger } from "./worker-logger.ts";

/**
 * `HOST@PID-START-K(.N).jsonl`: its writer's host, pid and start time, its K-th journal, N-th
 * taken over. A name without `HOST@` was written by an orch that did not name the host: this
 * host's. Why the host: a pid says whether a process runs only on its own host (and in its own pid
 * namespace), and a folder may be shared by workers of several hosts (NFS, a container's volume).
 */
const JOURNAL_NAME = /^(?:([A-Za-z0-9._-]+)@)?(\d+)-([0-9a-z]+)-\d+(?:\.\d+)?\.jsonl(\.tmp)?$/;

/** A host name as it appears in a journal's name. */
export function hostInName(host: string): string {
  return host.replace(/[^A-Za-z0-9.-]/g, "_") || "_";
}

/** The server a journal is owed to, as its first line names it: `{"api":URL}`. */
export function headerLine(api: string): string {
  return `${JSON.stringify({ api: sameApi(api) })}\n`;
}

/** A server's URL as journals compare it. */
function sameApi(url: string): string {
  return url.replace(/\/+$/, "");
}

/** The names in `dir` (none when it is not there). */
export function existing(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The server a journal file says it is owed to: undefined when it names none (or is empty). */
function owedTo(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const buffer = Buffer.alloc(8192);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const first = buffer.subarray(0, n).toString("utf8").split("\n")[0] ?? "";
    const api = (JSON.parse(first) as { api?: unknown }).api;
    return typeof api === "string" ? sameApi(api) : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface TakeOver {
  /** This writer's name, without `.jsonl`. */
  key: string;
  /** This host, as in names (hostInName). */
  host: string;
  /** The server this worker reports to. */
  api: string;
  logger: WorkerLogger;
}

/**
 * Claim the journals of gone writers of this host, owed to this worker's server, in `dir` (rename
 * to this writer's `key`), read what they kept, oldest journal first, and return it; the claimed
 * files are removed once the caller has written it anew. Journals of another host are left to
 * it (its writer may run: this host cannot tell), those owed to another server are left to a
 * worker of that server; each is said once. Half-written or unreadable lines are skipped.
 */
export function takeOver(dir: string, { key, host, api, logger }: TakeOver): JournalReport[] {
  const claimed: { path: string; mtime: number; from: string }[] = [];
  const otherHosts = new Set<string>();
  const otherApis = new Map<string, string[]>();
  for (const name of existing(dir)) {
    const match = JOURNAL_NAME.exec(name);
    if (!match) continue;
    const [, writerHost = host, pid, started, tmp] = match;
    if (writerHost !== host) {
      if (!tmp) otherHosts.add(writerHost);
      continue;
    }
    // Its writer runs (this process too, for its other journals): not ours to take.
    if (isSameProcess(Number(pid), started === "x" ? null : started!)) continue;
    const from = join(dir, name);
    try {
      if (tmp) {
        // A rewrite its writer never finished: the journal it was replacing is still there.
        unlinkSync(from);
        continue;
      }
      const owed = owedTo(from);
      if (owed !== undefined && owed !== sameApi(api)) {
        otherApis.set(owed, [...(otherApis.get(owed) ?? []), name]);
        continue;
      }
      const to = join(dir, `${key}.${claimed.length + 1}.jsonl`);
      renameSync(from, to);
      claimed.push({ path: to, mtime: statSync(to).mtimeMs, from });
    } catch {
      // Another worker claimed it first.
    }
  }
  if (otherHosts.size) {
    logger.info(
      `${dir} holds undelivered reports of workers on ${[...otherHosts].join(", ")}: they are left for a worker started on that host`,
    );
  }
  for (const [owed, names] of otherApis) {
    logger.warn(
      `${dir} holds ${names.length} journal(s) of undelivered reports owed to orch at ${owed}, not ${sameApi(api)}: they are left in place, for a worker started with --api ${owed} in this folder`,
    );
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
    else if ("ack" in entry) for (const id of entry.ack) kept.delete(id);
    else if ("id" in entry) kept.set(entry.id, entry.report);
  });
  return [...kept.values()];
}

/** A line: a report kept, the ids acknowledged (`{"ack":N}` or `{"ack":[N,…]}`), or the header. */
function parseLine(line: string): Journaled | { ack: number[] } | { api: string } | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (Number.isInteger(v.ack)) return { ack: [v.ack as number] };
  if (Array.isArray(v.ack) && v.ack.every(Number.isInteger)) return { ack: v.ack as number[] };
  if (typeof v.api === "string") return { api: v.api };
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
