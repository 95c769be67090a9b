import type { EventRow } from "./events.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** The last event id a consumer handled, or null when it never ran. */
export function getEventCursor(store: Store, name: string): number | null {
  const row = sqlite(store).query("SELECT last_id FROM event_cursors WHERE name = ?").get(name) as {
    last_id: number;
  } | null;
  return row?.last_id ?? null;
}

/** Record that a consumer handled every event up to `lastId`. */
export function setEventCursor(store: Store, name: string, lastId: number): void {
  sqlite(store)
    .query(
      "INSERT INTO event_cursors (name, last_id) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET last_id = max(last_id, excluded.last_id)",
    )
    .run(name, lastId);
}

/** The newest event's id (0 with none). */
export function lastEventId(store: Store): number {
  return (
    sqlite(store).query("SELECT coalesce(max(id), 0) AS id FROM events").get() as { id: number }
  ).id;
}

/** Events after `afterId`, oldest first, at most `limit`. */
export function eventsAfter(store: Store, afterId: number, limit: number): EventRow[] {
  return sqlite(store)
    .query("SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?")
    .all(afterId, limit) as EventRow[];
}
