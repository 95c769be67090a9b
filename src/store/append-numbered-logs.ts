import { appendLogs, type LogLine } from "./logs.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** What a numbered append did. */
export interface NumberedAppend {
  /** Lines stored now (the rest were already there). */
  stored: number;
  /** The highest line number stored for this attempt. */
  last: number;
}

/**
 * Append an attempt's lines numbered `first`, `first + 1`, … (a remote worker's batch), storing
 * only the lines past the attempt's mark and moving the mark, in one transaction. A batch sent
 * again after a lost answer stores nothing twice.
 */
export function appendNumberedLogs(
  store: Store,
  runSeq: number,
  attempt: number,
  first: number,
  lines: LogLine[],
): NumberedAppend {
  return store.tx(() => {
    const mark = sqlite(store)
      .query("SELECT last_n FROM log_marks WHERE run_seq = ? AND attempt = ?")
      .get(runSeq, attempt) as { last_n: number } | null;
    const last = mark?.last_n ?? 0;
    const fresh = lines.slice(Math.max(0, last + 1 - first));
    if (fresh.length === 0) return { stored: 0, last };
    appendLogs(store, [[runSeq, fresh]]);
    const next = first + lines.length - 1;
    sqlite(store)
      .query(
        `INSERT INTO log_marks (run_seq, attempt, last_n) VALUES (?, ?, ?)
         ON CONFLICT (run_seq, attempt) DO UPDATE SET last_n = excluded.last_n`,
      )
      .run(runSeq, attempt, next);
    return { stored: fresh.length, last: next };
  });
}
