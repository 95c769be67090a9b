import {
  iso,
  LOG_STREAMS,
  type LogLevel,
  type LogLineJson,
  type LogStream,
  levelsFrom,
  SUBFLOW_FIELD,
  streamLevel,
} from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** One line of a run's output, as captured; a flow's logger adds a level and fields. */
export interface LogLine {
  at: number;
  stream: LogStream;
  line: string;
  level?: LogLevel;
  fields?: Record<string, unknown>;
}

/** A stored log line; `id` orders lines and is the cursor for the next page. */
export interface LogLineRow {
  id: number;
  at: number;
  stream: LogStream;
  line: string;
  /** Its level: the logger's, the line's own, or its stream's (see LINE_LEVEL). */
  level: LogLevel;
  /** Its fields as JSON text, or null. */
  fields: string | null;
}

/**
 * The level of a stored line: the logger's or the one the line says (lineLevel), or for a plain
 * line its stream's (streamLevel). Computed when read, so plain lines store no level and a
 * change of the streams' levels needs no rewrite of old lines.
 */
const LINE_LEVEL = `coalesce(level, CASE stream ${LOG_STREAMS.map((s) => `WHEN '${s}' THEN '${streamLevel(s)}'`).join(" ")} END)`;

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
      `INSERT INTO log_lines (run_seq, at, stream, line, level, fields) VALUES ${Array(ROWS_PER_INSERT).fill("(?, ?, ?, ?, ?, ?)").join(", ")}`,
    );
    const one = sqlite(store).query(
      "INSERT INTO log_lines (run_seq, at, stream, line, level, fields) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const args: (string | number | null)[] = new Array(ROWS_PER_INSERT * 6);
    for (const [seq, lines] of batches) {
      if (lines.length) seqs.push(seq);
      let i = 0;
      for (; i + ROWS_PER_INSERT <= lines.length; i += ROWS_PER_INSERT) {
        for (let j = 0; j < ROWS_PER_INSERT; j++) {
          const l = lines[i + j]!;
          args[j * 6] = seq;
          args[j * 6 + 1] = l.at;
          args[j * 6 + 2] = l.stream;
          args[j * 6 + 3] = l.line;
          args[j * 6 + 4] = l.level ?? null;
          args[j * 6 + 5] = l.fields ? JSON.stringify(l.fields) : null;
        }
        many.run(...args);
      }
      for (; i < lines.length; i++) {
        const l = lines[i]!;
        one.run(
          seq,
          l.at,
          l.stream,
          l.line,
          l.level ?? null,
          l.fields ? JSON.stringify(l.fields) : null,
        );
      }
    }
  });
  if (seqs.length) store.publishLogs(seqs);
}

/** A stored log line as the API shows it (its time in ISO). */
export function logLineToJson(row: LogLineRow): LogLineJson {
  const json: LogLineJson = {
    id: row.id,
    at: iso(row.at)!,
    stream: row.stream,
    level: row.level,
    line: row.line,
  };
  if (row.fields) json.fields = JSON.parse(row.fields);
  return json;
}

/** Which of a run's lines to list. */
export interface LogFilter {
  /** Lines after this line id (0 for the start). */
  after?: number;
  limit?: number;
  /** Only lines of this level or above (warn: warn and error). */
  level?: LogLevel;
  /** Only lines that contain this text (literal, case-sensitive, as grep). */
  grep?: string;
  /** The run is a subflow: its lines written in its family's process too (see subflowLines). */
  subflow?: SubflowLines;
}

/** Where a subflow's lines are: with the lines of the run whose process ran it. */
export interface SubflowLines {
  /** The subflow run's id (what its lines name in core's SUBFLOW_FIELD). */
  id: string;
  /** The seq of the run at the top of its family, whose process ran it. */
  rootSeq: number;
}

/**
 * For a subflow run, where its lines are: a subflow runs in the process of the run at the top
 * of its family (subflows of subflows too), so what it prints is stored with that run's output,
 * each line naming it. Undefined for a run that is no subflow.
 */
export function subflowLines(
  store: Store,
  run: { id: string; parent_id: string | null },
): SubflowLines | undefined {
  if (!run.parent_id) return undefined;
  const parentOf = sqlite(store).query("SELECT seq, parent_id FROM flow_runs WHERE id = ?");
  let parent = run.parent_id;
  // A family is a few levels deep; the bound only guards against a cycle no API can make.
  for (let depth = 0; depth < 100; depth++) {
    const row = parentOf.get(parent) as { seq: number; parent_id: string | null } | null;
    if (!row) return undefined;
    if (!row.parent_id) return { id: run.id, rootSeq: row.seq };
    parent = row.parent_id;
  }
  return undefined;
}

/** A run's lines after the cursor `after` that pass the filter, oldest first. */
export function listLogs(store: Store, runSeq: number, options: LogFilter = {}): LogLineRow[] {
  const limit = Math.max(1, Math.min(options.limit ?? 1000, 100_000));
  const where = options.subflow
    ? [
        `(run_seq = ? OR (run_seq = ? AND json_extract(fields, '$.${SUBFLOW_FIELD}') = ?))`,
        "id > ?",
      ]
    : ["run_seq = ?", "id > ?"];
  const args: (string | number)[] = options.subflow
    ? [runSeq, options.subflow.rootSeq, options.subflow.id, options.after ?? 0]
    : [runSeq, options.after ?? 0];
  if (options.level && options.level !== "debug") {
    const levels = levelsFrom(options.level);
    where.push(`${LINE_LEVEL} IN (${levels.map(() => "?").join(", ")})`);
    args.push(...levels);
  }
  if (options.grep) {
    where.push("instr(line, ?) > 0");
    args.push(options.grep);
  }
  return sqlite(store)
    .query(
      `SELECT id, at, stream, line, ${LINE_LEVEL} AS level, fields FROM log_lines
       WHERE ${where.join(" AND ")} ORDER BY id LIMIT ?`,
    )
    .all(...args, limit) as LogLineRow[];
}

/** How many lines a run has stored. */
export function countLogs(store: Store, runSeq: number): number {
  return (
    sqlite(store).query("SELECT count(*) AS n FROM log_lines WHERE run_seq = ?").get(runSeq) as {
      n: number;
    }
  ).n;
}
