import type { PruneResult } from "../core/index.ts";
import { eventsSince, recordEvent } from "./events.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";
import { TERMINAL } from "./state-sql.ts";

/** Which finished runs a rule covers, and what of them goes. */
export interface PruneRule {
  /** One deployment's runs (null: ad-hoc runs); left out, every run. */
  deployment?: string | null;
  /** Runs that ended before this time (epoch ms) go, with their states, tasks and logs. */
  runsBefore?: number;
  /** Log lines of runs that ended before this time go; the runs stay. */
  logsBefore?: number;
}

/** What one prune deletes: finished runs and logs by rule, events by time or id. */
export interface PrunePlan {
  rules: PruneRule[];
  /** Events recorded before this time go. */
  eventsBefore?: number;
  /** Events with an id below this go (a count kept: the newest so many stay). */
  eventsBelowId?: number;
}

/** What a prune deleted (or, dry, would delete), with the bytes of log text. */
export interface PruneCounts extends PruneResult {
  log_bytes: number;
}

export interface PruneOptions {
  /** Only count. */
  dryRun?: boolean;
  /**
   * Awaited between slices, so other work runs while a prune goes on (default: the next turn
   * of the event loop). Rejecting stops the prune where it is.
   */
  pause?: () => Promise<void>;
}

/**
 * Each slice is one transaction that stops after SLICE_MS (or SLICE_ROWS rows), whichever comes
 * first: the write lock (and, in the server, the event loop) is held that long at most, so API
 * requests and the worker's writes wait no longer than that, however much a prune deletes in
 * all and however loaded the machine is.
 */
const SLICE_MS = 8;
const SLICE_ROWS = 2000;
const SLICE_RUNS = 200;
/** Events deleted in one slice (each costs little: a row and at most one index entry). */
const SLICE_EVENTS = 500;
/** Rows a run's own delete costs besides its log lines (states, tags, task runs): an estimate. */
const RUN_ROWS = 10;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function scope(rule: PruneRule): { sql: string; args: (string | null)[] } {
  if (rule.deployment === undefined) return { sql: "", args: [] };
  return { sql: "AND deployment IS ?", args: [rule.deployment] };
}

/**
 * Delete what `plan` says: finished runs (COMPLETED, FAILED, CRASHED, CANCELLED) with their
 * states, task runs and log lines, log lines alone, and events. Runs still going, waiting or
 * planned are never touched. Works in slices (see SLICE_MS), each its own transaction, with a
 * pause between them. `dryRun` only counts.
 */
export async function pruneRuns(
  store: Store,
  plan: PrunePlan,
  options: PruneOptions = {},
): Promise<PruneCounts> {
  if (options.dryRun) return countPrune(store, plan);
  const pause = options.pause ?? nextTurn;
  const counts: PruneCounts = { runs: 0, log_lines: 0, log_bytes: 0, events: 0 };
  const db = sqlite(store);
  for (const rule of plan.rules) {
    const { sql, args } = scope(rule);
    if (rule.runsBefore !== undefined) {
      const before = rule.runsBefore;
      for (;;) {
        const done = store.tx(() => {
          const started = performance.now();
          let budget = SLICE_ROWS;
          const seqs = db
            .query(
              `SELECT seq FROM flow_runs WHERE ${TERMINAL} AND ended_at < ? ${sql} LIMIT ${SLICE_RUNS}`,
            )
            .all(before, ...args) as { seq: number }[];
          for (const { seq } of seqs) {
            budget -= deleteLines(store, seq, budget, counts);
            // A run with more lines than a slice takes several: it goes once they are gone.
            if (budget <= 0) return false;
            db.query("DELETE FROM flow_runs WHERE seq = ?").run(seq);
            counts.runs++;
            budget -= RUN_ROWS;
            if (budget <= 0 || performance.now() - started > SLICE_MS) return false;
          }
          return seqs.length < SLICE_RUNS;
        });
        if (done) break;
        await pause();
      }
    }
    if (rule.logsBefore !== undefined) {
      const before = rule.logsBefore;
      // Runs keep their place in (ended_at, seq) order, so a cursor visits each one once.
      let cursor: [number, number] = [Number.MIN_SAFE_INTEGER, 0];
      for (;;) {
        const done = store.tx(() => {
          const started = performance.now();
          let budget = SLICE_ROWS;
          const runs = db
            .query(
              `SELECT seq, ended_at FROM flow_runs WHERE ${TERMINAL} AND ended_at < ? ${sql}
               AND (ended_at, seq) > (?, ?) ORDER BY ended_at, seq LIMIT ${SLICE_RUNS}`,
            )
            .all(before, ...args, cursor[0], cursor[1]) as { seq: number; ended_at: number }[];
          for (const run of runs) {
            budget -= deleteLines(store, run.seq, budget, counts);
            if (budget <= 0) return false; // this run again next slice: it may have more
            cursor = [run.ended_at, run.seq];
            if (performance.now() - started > SLICE_MS) return false;
          }
          return runs.length < SLICE_RUNS;
        });
        if (done) break;
        await pause();
      }
    }
  }
  const eventSlices: [string, number[]][] = [];
  if (plan.eventsBefore !== undefined) {
    // Read along the ids up to where the time begins, each event's own time checked.
    const bound = eventsSince(store, plan.eventsBefore);
    eventSlices.push([
      "SELECT id FROM events WHERE id < ? AND at < ? ORDER BY id",
      [bound, plan.eventsBefore],
    ]);
  }
  if (plan.eventsBelowId !== undefined)
    eventSlices.push(["SELECT id FROM events WHERE id < ? ORDER BY id", [plan.eventsBelowId]]);
  for (const [select, bound] of eventSlices) {
    for (;;) {
      const deleted = store.tx(
        () =>
          db.query(`DELETE FROM events WHERE id IN (${select} LIMIT ${SLICE_EVENTS})`).run(...bound)
            .changes,
      );
      counts.events += deleted;
      if (deleted < SLICE_EVENTS) break;
      await pause();
    }
  }
  // Live views (the web UI, the monitor) load again what they show: a page never shows a run,
  // a log line or an event the store no longer has.
  if (counts.runs || counts.log_lines || counts.events) {
    const { runs, log_lines, events } = counts;
    store.tx(() => recordEvent(store, "project.pruned", null, { runs, log_lines, events }));
  }
  return counts;
}

/** Delete up to `limit` log lines of a run; returns how many went. */
function deleteLines(store: Store, seq: number, limit: number, counts: PruneCounts): number {
  const row = sqlite(store)
    .query(
      `DELETE FROM log_lines WHERE id IN (SELECT id FROM log_lines WHERE run_seq = ? LIMIT ?)
       RETURNING length(line) AS bytes`,
    )
    .all(seq, limit) as { bytes: number }[];
  counts.log_lines += row.length;
  for (const r of row) counts.log_bytes += r.bytes;
  return row.length;
}

/** What a plan would delete, counted without deleting. */
function countPrune(store: Store, plan: PrunePlan): PruneCounts {
  const db = sqlite(store);
  const counts: PruneCounts = { runs: 0, log_lines: 0, log_bytes: 0, events: 0 };
  for (const rule of plan.rules) {
    const { sql, args } = scope(rule);
    // Log lines go with their run or on their own, whichever comes first.
    const linesBefore = Math.max(rule.runsBefore ?? -Infinity, rule.logsBefore ?? -Infinity);
    if (rule.runsBefore !== undefined) {
      counts.runs += (
        db
          .query(`SELECT count(*) AS n FROM flow_runs WHERE ${TERMINAL} AND ended_at < ? ${sql}`)
          .get(rule.runsBefore, ...args) as { n: number }
      ).n;
    }
    if (linesBefore !== -Infinity) {
      const lines = db
        .query(
          `SELECT count(*) AS n, coalesce(sum(length(line)), 0) AS bytes FROM log_lines WHERE run_seq IN
           (SELECT seq FROM flow_runs WHERE ${TERMINAL} AND ended_at < ? ${sql})`,
        )
        .get(linesBefore, ...args) as { n: number; bytes: number };
      counts.log_lines += lines.n;
      counts.log_bytes += lines.bytes;
    }
  }
  // The same events as pruneRuns deletes: by time along the ids (eventsSince), or by id.
  const where: string[] = [];
  const bound: number[] = [];
  if (plan.eventsBefore !== undefined) {
    where.push("(id < ? AND at < ?)");
    bound.push(eventsSince(store, plan.eventsBefore), plan.eventsBefore);
  }
  if (plan.eventsBelowId !== undefined) {
    where.push("id < ?");
    bound.push(plan.eventsBelowId);
  }
  if (where.length) {
    counts.events = (
      db.query(`SELECT count(*) AS n FROM events WHERE ${where.join(" OR ")}`).get(...bound) as {
        n: number;
      }
    ).n;
  }
  return counts;
}

/** Delete (or, dry, count) every finished run that ended before `before`, and older events. */
export async function pruneOlderThan(
  store: Store,
  before: number,
  dryRun = false,
): Promise<PruneResult> {
  const { runs, log_lines, events } = await pruneRuns(
    store,
    { rules: [{ runsBefore: before }], eventsBefore: before },
    { dryRun },
  );
  return { runs, log_lines, events };
}
