import type { PruneResult } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";
import { TERMINAL } from "./state-sql.ts";

const BATCH = 5000;

/**
 * Delete finished runs (COMPLETED, FAILED, CRASHED, CANCELLED) that ended before `endedBefore`,
 * with their states, logs and task runs, and events recorded before it. Runs still going, waiting
 * or planned are never touched. Works in batches, each its own transaction, so the store's write
 * lock is never held for long. `dryRun` only counts.
 */
export function pruneRuns(store: Store, endedBefore: number, dryRun = false): PruneResult {
  const finished = `${TERMINAL} AND ended_at < ?`;
  if (dryRun) {
    const runs = (
      sqlite(store)
        .query(`SELECT count(*) AS n FROM flow_runs WHERE ${finished}`)
        .get(endedBefore) as {
        n: number;
      }
    ).n;
    const lines = (
      sqlite(store)
        .query(
          `SELECT count(*) AS n FROM log_lines WHERE run_seq IN (SELECT seq FROM flow_runs WHERE ${finished})`,
        )
        .get(endedBefore) as { n: number }
    ).n;
    const events = (
      sqlite(store).query("SELECT count(*) AS n FROM events WHERE at < ?").get(endedBefore) as {
        n: number;
      }
    ).n;
    return { runs, log_lines: lines, events };
  }
  const counts: PruneResult = { runs: 0, log_lines: 0, events: 0 };
  for (;;) {
    const done = store.tx(() => {
      const seqs = sqlite(store)
        .query(`SELECT seq FROM flow_runs WHERE ${finished} LIMIT ${BATCH}`)
        .all(endedBefore) as { seq: number }[];
      for (const { seq } of seqs) {
        counts.log_lines += sqlite(store)
          .query("DELETE FROM log_lines WHERE run_seq = ?")
          .run(seq).changes;
        sqlite(store).query("DELETE FROM flow_runs WHERE seq = ?").run(seq);
      }
      counts.runs += seqs.length;
      return seqs.length < BATCH;
    });
    if (done) break;
  }
  for (;;) {
    const deleted = store.tx(
      () =>
        sqlite(store)
          .query(
            `DELETE FROM events WHERE id IN (SELECT id FROM events WHERE at < ? LIMIT ${BATCH})`,
          )
          .run(endedBefore).changes,
    );
    counts.events += deleted;
    if (deleted < BATCH) break;
  }
  return counts;
}
