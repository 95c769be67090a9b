import { iso, type LogLineJson, type LogStream } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** One line of a run's output, as captured. */
export interface LogLine {
  at: number;
  stream: LogStream;
  line: string;
}

/** A stored log line; `id` orders lines and is the cursor for the next page. */
export interface LogLineRow extends LogLine {
  id: number;
}

/** Lines per INSERT statement: fewer, larger statements are what makes a million lines fast. */
const ROWS_PER_INSERT = 64;

/**
 * Append lines of one or more runs in one transaction. `batches` pairs a run's seq with its
 * lines, so a worker can store what all its runs printed since the last flush at once.
 */
export function appendLogs(
  store: Store,
  batches: Iterable<[runSeq: number, lines: LogLine[]]>,
): void {
  const seqs: number[] = [];
  store.tx(() => {
    const many = sqlite(store).query(
      `INSERT INTO log_lines (run_seq, at, stream, line) VALUES ${Array(ROWS_PER_INSERT).fill("(?, ?, ?, ?)").join(", ")}`,
    );
    const one = sqlite(store).query(
      "INSERT INTO log_lines (run_seq, at, stream, line) VALUES (?, ?, ?, ?)",
    );
    const args: (string | number)[] = new Array(ROWS_PER_INSERT * 4);
    for (const [seq, lines] of batches) {
      if (lines.length) seqs.push(seq);
      let i = 0;
      for (; i + ROWS_PER_INSERT <= lines.length; i += ROWS_PER_INSERT) {
        for (let j = 0; j < ROWS_PER_INSERT; j++) {
          const l = lines[i + j]!;
          args[j * 4] = seq;
          args[j * 4 + 1] = l.at;
          args[j * 4 + 2] = l.stream;
          args[j * 4 + 3] = l.line;
        }
        many.run(...args);
      }
      for (; i < lines.length; i++) {
        const l = lines[i]!;
        one.run(seq, l.at, l.stream, l.line);
      }
    }
  });
  if (seqs.length && store.logListeners.size) {
    for (const listener of store.logListeners) store.afterCommit(() => listener(seqs));
  }
}

/** A stored log line as the API shows it (its time in ISO). */
export function logLineToJson(row: LogLineRow): LogLineJson {
  return { id: row.id, at: iso(row.at)!, stream: row.stream, line: row.line };
}

/** A run's lines after the cursor `after` (a line id; 0 for the start), oldest first. */
export function listLogs(
  store: Store,
  runSeq: number,
  options: { after?: number; limit?: number } = {},
): LogLineRow[] {
  const limit = Math.max(1, Math.min(options.limit ?? 1000, 100_000));
  return sqlite(store)
    .query(
      "SELECT id, at, stream, line FROM log_lines WHERE run_seq = ? AND id > ? ORDER BY id LIMIT ?",
    )
    .all(runSeq, options.after ?? 0, limit) as LogLineRow[];
}

/** How many lines a run has stored. */
export function countLogs(store: Store, runSeq: number): number {
  return (
    sqlite(store).query("SELECT count(*) AS n FROM log_lines WHERE run_seq = ?").get(runSeq) as {
      n: number;
    }
  ).n;
}
