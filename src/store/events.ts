import { type EventJson, iso } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import type { RunRow } from "./runs.ts";
import { sqlite } from "./sqlite.ts";

/** An event as stored. */
export interface EventRow {
  id: number;
  name: string;
  resource: string | null;
  payload: string;
  at: number;
  /**
   * A run's state event, as its listeners get it: the run as this change left it (never
   * stored), so a listener need not read it back for every run.
   */
  run?: RunRow;
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
 * it reports carry one time (a run's retry wait is its due time less the event's). A run's change
 * passes the run as it left it, for the listeners (see EventRow.run).
 */
export function recordEvent(
  store: Store,
  name: string,
  resource: string | null,
  payload: Record<string, unknown> = {},
  at: number = store.clock.now(),
  run?: RunRow,
): EventRow {
  // Why no RETURNING: SQLite's RETURNING costs several times the insert itself here, and the
  // row is known but for its id (planning a large project records one event per run).
  const text = JSON.stringify(payload);
  const { lastInsertRowid } = sqlite(store)
    .query("INSERT INTO events (name, resource, payload, at) VALUES (?, ?, ?, ?)")
    .run(name, resource, text, at);
  const row: EventRow = { id: Number(lastInsertRowid), name, resource, payload: text, at };
  if (run) row.run = run;
  if (store.listeners.size) {
    for (const listener of store.listeners) store.afterCommit(() => listener(row));
  }
  return row;
}

/** A name pattern with `*` wildcards as an SQLite GLOB (its other special characters made literal). */
function toGlob(pattern: string): string {
  return pattern.replace(/[[?]/g, (c) => `[${c}]`);
}

/**
 * Recent events, newest first: by name prefix (`deployment.`), by name pattern (`flow-run.*`,
 * `webhook.deploy`), and recorded at or after `since` (epoch ms).
 */
export function listEvents(
  store: Store,
  options: { prefix?: string; name?: string; since?: number; limit?: number } = {},
): EventRow[] {
  const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (options.prefix) {
    where.push("name >= ? AND name < ?");
    args.push(options.prefix, `${options.prefix}\u{10FFFF}`);
  }
  if (options.name) {
    where.push("name GLOB ?");
    args.push(toGlob(options.name));
  }
  if (options.since !== undefined) {
    where.push("at >= ?");
    args.push(options.since);
  }
  return sqlite(store)
    .query(
      `SELECT * FROM events ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`,
    )
    .all(...args, limit) as EventRow[];
}
