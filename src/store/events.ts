import { type EventJson, iso } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** An event as stored. */
export interface EventRow {
  id: number;
  name: string;
  resource: string | null;
  payload: string;
  at: number;
}

/** The JSON shape of a stored event. */
export function eventToJson(row: EventRow): EventJson {
  return {
    id: row.id,
    name: row.name,
    resource: row.resource,
    payload: JSON.parse(row.payload),
    at: iso(row.at)!,
  };
}

/**
 * Record an event (in the caller's transaction, if any) and publish it once committed. `at`
 * defaults to now; a change that stamps its own time passes that, so the event and the change
 * it reports carry one time (a run's retry wait is its due time less the event's).
 */
export function recordEvent(
  store: Store,
  name: string,
  resource: string | null,
  payload: Record<string, unknown> = {},
  at: number = store.clock.now(),
): EventRow {
  const row = sqlite(store)
    .query("INSERT INTO events (name, resource, payload, at) VALUES (?, ?, ?, ?) RETURNING *")
    .get(name, resource, JSON.stringify(payload), at) as EventRow;
  if (store.listeners.size) {
    for (const listener of store.listeners) store.afterCommit(() => listener(row));
  }
  return row;
}

/** Recent events, newest first, optionally by name prefix (`deployment.`). */
export function listEvents(
  store: Store,
  options: { prefix?: string; limit?: number } = {},
): EventRow[] {
  const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));
  if (options.prefix) {
    return sqlite(store)
      .query("SELECT * FROM events WHERE name >= ? AND name < ? ORDER BY id DESC LIMIT ?")
      .all(options.prefix, `${options.prefix}\u{10FFFF}`, limit) as EventRow[];
  }
  return sqlite(store)
    .query("SELECT * FROM events ORDER BY id DESC LIMIT ?")
    .all(limit) as EventRow[];
}
