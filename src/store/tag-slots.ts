import { OrchError } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/**
 * Take a slot of `tag` for `holder` (a task attempt of the run `runSeq`) when fewer than `limit`
 * are held, across all runs; true when it is held (again, for a repeated request). Why a count
 * in one transaction rather than a row per slot number: the limit is the caller's (it lives in
 * the flow's code), and SQLite's single writer makes count-then-insert atomic.
 */
export function takeTagSlot(
  store: Store,
  runSeq: number,
  tag: string,
  limit: number,
  holder: string,
): boolean {
  return store.tx(() => {
    const db = sqlite(store);
    const run = db.query("SELECT state_type FROM flow_runs WHERE seq = ?").get(runSeq) as {
      state_type: string;
    } | null;
    // A run that stopped running holds nothing: its slots were freed when it stopped, and a
    // late request from its process must not take one again.
    if (run?.state_type !== "RUNNING") {
      throw new OrchError(
        "E_CONFLICT",
        `the run is ${run?.state_type ?? "gone"}, not RUNNING: only a running run takes tag slots`,
      );
    }
    const mine = db.query("SELECT run_seq FROM tag_slots WHERE holder = ?").get(holder) as {
      run_seq: number;
    } | null;
    if (mine) return mine.run_seq === runSeq;
    const { n } = db.query("SELECT count(*) AS n FROM tag_slots WHERE tag = ?").get(tag) as {
      n: number;
    };
    if (n >= limit) return false;
    db.query("INSERT INTO tag_slots (holder, tag, run_seq, acquired_at) VALUES (?, ?, ?, ?)").run(
      holder,
      tag,
      runSeq,
      store.clock.now(),
    );
    return true;
  });
}

/** Give back the slot `holder` of the run `runSeq` holds (nothing when it holds none). */
export function releaseTagSlot(store: Store, runSeq: number, holder: string): boolean {
  return (
    sqlite(store)
      .query("DELETE FROM tag_slots WHERE holder = ? AND run_seq = ?")
      .run(holder, runSeq).changes > 0
  );
}

/** Free every slot a run holds: it stopped running (ended, paused, or waits to retry). */
export function releaseRunTagSlots(store: Store, runSeq: number): void {
  sqlite(store).query("DELETE FROM tag_slots WHERE run_seq = ?").run(runSeq);
}

/** How many slots of each tag are held now, by tag. */
export function tagSlotsInUse(store: Store): Record<string, number> {
  const rows = sqlite(store)
    .query("SELECT tag, count(*) AS n FROM tag_slots GROUP BY tag ORDER BY tag")
    .all() as { tag: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.tag, r.n]));
}
