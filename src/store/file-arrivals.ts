import { triggerRunKeyPattern } from "../core/index.ts";
import { type EventRow, recordEvent } from "./events.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** A file a watch handled: which content, when it last looked like this, its event. */
export interface FileArrivalRow {
  watch: string;
  path: string;
  sha256: string;
  size: number;
  mtime_ms: number;
  event_id: number;
  move_to: string | null;
  moved_at: number | null;
  at: number;
}

/**
 * Whether a watch already handled `path` as it is now (same size and mtime as when handled):
 * a restart then skips hashing the files it left in place.
 */
export function arrivalSeen(
  store: Store,
  watch: string,
  path: string,
  size: number,
  mtimeMs: number,
): boolean {
  return !!sqlite(store)
    .query(
      "SELECT 1 FROM file_arrivals WHERE watch = ? AND path = ? AND size = ? AND mtime_ms = ? LIMIT 1",
    )
    .get(watch, path, size, mtimeMs);
}

/**
 * Record that a watch saw `path` with this content and, when that content is new for the path,
 * its `file.arrived` event, in one transaction: a file is one event exactly once, whatever
 * restarts come between. The same content seen again (touched, or copied over with the same
 * bytes) only refreshes its size and mtime and makes no event.
 */
export function recordArrival(
  store: Store,
  arrival: Omit<FileArrivalRow, "event_id" | "moved_at" | "at">,
  payload: Record<string, unknown>,
): EventRow | null {
  return store.tx(() => {
    const db = sqlite(store);
    const known = db
      .query("SELECT 1 FROM file_arrivals WHERE watch = ? AND path = ? AND sha256 = ?")
      .get(arrival.watch, arrival.path, arrival.sha256);
    if (known) {
      db.query(
        "UPDATE file_arrivals SET size = ?, mtime_ms = ? WHERE watch = ? AND path = ? AND sha256 = ?",
      ).run(arrival.size, arrival.mtime_ms, arrival.watch, arrival.path, arrival.sha256);
      return null;
    }
    const event = recordEvent(store, "file.arrived", arrival.path, payload);
    db.query(
      "INSERT INTO file_arrivals (watch, path, sha256, size, mtime_ms, event_id, move_to, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    ).run(
      arrival.watch,
      arrival.path,
      arrival.sha256,
      arrival.size,
      arrival.mtime_ms,
      event.id,
      arrival.move_to,
      event.at,
    );
    return event;
  });
}

/** The arrival whose event is `eventId`, or null. */
export function arrivalOfEvent(store: Store, eventId: number): FileArrivalRow | null {
  return sqlite(store)
    .query("SELECT * FROM file_arrivals WHERE event_id = ?")
    .get(eventId) as FileArrivalRow | null;
}

/** The paths a watch has arrivals of. */
export function arrivalPaths(store: Store, watch: string): string[] {
  return (
    sqlite(store).query("SELECT DISTINCT path FROM file_arrivals WHERE watch = ?").all(watch) as {
      path: string;
    }[]
  ).map((row) => row.path);
}

/**
 * Forget what a watch handled at `paths`, files that have left its folder (moved to the done
 * folder, or deleted): the same file dropped in again later is a new arrival, and the table
 * holds only files still there.
 */
export function forgetArrivals(store: Store, watch: string, paths: string[]): number {
  if (!paths.length) return 0;
  const db = sqlite(store);
  const forget = db.query("DELETE FROM file_arrivals WHERE watch = ? AND path = ?");
  let count = 0;
  store.tx(() => {
    for (const path of paths) count += forget.run(watch, path).changes;
  });
  return count;
}

/** Arrivals still to be moved to their done folder (their runs may have completed while orch was down). */
export function pendingMoves(store: Store): FileArrivalRow[] {
  return sqlite(store)
    .query("SELECT * FROM file_arrivals WHERE move_to IS NOT NULL AND moved_at IS NULL")
    .all() as FileArrivalRow[];
}

/** Record that an arrival's file was moved to its done folder (or that it no longer can be). */
export function markMoved(store: Store, eventId: number): void {
  sqlite(store)
    .query("UPDATE file_arrivals SET moved_at = ? WHERE event_id = ?")
    .run(store.clock.now(), eventId);
}

/** The states of the runs triggers made from event `eventId`. */
export function runsMadeFromEvent(store: Store, eventId: number): { state_type: string }[] {
  // A scan of trigger-made runs, only at start-up and only for files still waiting to move.
  return sqlite(store)
    .query(
      "SELECT state_type FROM flow_runs WHERE created_by = 'trigger' AND idempotency_key LIKE ?",
    )
    .all(triggerRunKeyPattern(eventId)) as { state_type: string }[];
}
