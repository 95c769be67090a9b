import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/**
 * What triggers remember between events, by trigger id (`deployment:key`) and bucket (the
 * for_each values of an event, "" without for_each). Every write here happens in the
 * transaction that also moves the triggers' event cursor (see events/start-triggers.ts).
 */

/** The slot of a trigger's counted (on/expect) events; after events use their index, 0 up. */
export const COUNTED = -1;

/** Remember that a trigger saw an event in a slot (once: a replayed event is not counted again). */
export function rememberTriggerEvent(
  store: Store,
  trigger: string,
  bucket: string,
  slot: number,
  eventId: number,
  at: number,
): void {
  sqlite(store)
    .query(
      "INSERT OR IGNORE INTO trigger_events (trigger, bucket, slot, event_id, at) VALUES (?, ?, ?, ?, ?)",
    )
    .run(trigger, bucket, slot, eventId, at);
}

/** Forget a bucket's events in a slot from before `before` (they left the window); how many remain. */
export function countTriggerEvents(
  store: Store,
  trigger: string,
  bucket: string,
  slot: number,
  since: number,
): number {
  const db = sqlite(store);
  db.query(
    "DELETE FROM trigger_events WHERE trigger = ? AND bucket = ? AND slot = ? AND at < ?",
  ).run(trigger, bucket, slot, since);
  return (
    db
      .query(
        "SELECT count(*) AS n FROM trigger_events WHERE trigger = ? AND bucket = ? AND slot = ?",
      )
      .get(trigger, bucket, slot) as { n: number }
  ).n;
}

/** The after slots a bucket has seen since `since`. */
export function seenAfterSlots(
  store: Store,
  trigger: string,
  bucket: string,
  since: number,
): Set<number> {
  const rows = sqlite(store)
    .query(
      "SELECT DISTINCT slot FROM trigger_events WHERE trigger = ? AND bucket = ? AND slot >= 0 AND at >= ?",
    )
    .all(trigger, bucket, since) as { slot: number }[];
  return new Set(rows.map((r) => r.slot));
}

/** Forget everything a bucket has seen (it fired: the next firing starts from nothing). */
export function clearTriggerBucket(store: Store, trigger: string, bucket: string): void {
  sqlite(store)
    .query("DELETE FROM trigger_events WHERE trigger = ? AND bucket = ?")
    .run(trigger, bucket);
}

/** Forget what triggers saw before their windows (buckets no new event reached). */
export function pruneTriggerEvents(store: Store, trigger: string, before: number): void {
  sqlite(store)
    .query("DELETE FROM trigger_events WHERE trigger = ? AND at < ?")
    .run(trigger, before);
}

/** A proactive trigger's open deadline for one bucket. */
export interface DeadlineRow {
  trigger: string;
  bucket: string;
  due_at: number;
  /** When its window opened. */
  since: number;
  /** Expected events seen in the window so far. */
  seen: number;
  /** The after event that opened it, if one did. */
  after_event: number | null;
}

/** A bucket's open deadline, or null. */
export function getDeadline(store: Store, trigger: string, bucket: string): DeadlineRow | null {
  return sqlite(store)
    .query("SELECT * FROM trigger_deadlines WHERE trigger = ? AND bucket = ?")
    .get(trigger, bucket) as DeadlineRow | null;
}

/** Open a deadline, or move a bucket's open one. */
export function putDeadline(store: Store, row: DeadlineRow): void {
  sqlite(store)
    .query(
      `INSERT INTO trigger_deadlines (trigger, bucket, due_at, since, seen, after_event)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (trigger, bucket) DO UPDATE SET due_at = excluded.due_at,
         since = excluded.since, seen = excluded.seen, after_event = excluded.after_event`,
    )
    .run(row.trigger, row.bucket, row.due_at, row.since, row.seen, row.after_event);
}

/**
 * Close a deadline, only if it is still the one `due_at` names: of two processes (or a timer
 * and an event) racing for it, one closes it. Returns whether this call did.
 */
export function closeDeadline(
  store: Store,
  trigger: string,
  bucket: string,
  dueAt: number,
): boolean {
  return (
    sqlite(store)
      .query("DELETE FROM trigger_deadlines WHERE trigger = ? AND bucket = ? AND due_at = ?")
      .run(trigger, bucket, dueAt).changes > 0
  );
}

/** Deadlines due at `now` or before, soonest first. */
export function dueDeadlines(store: Store, now: number, limit = 100): DeadlineRow[] {
  return sqlite(store)
    .query("SELECT * FROM trigger_deadlines WHERE due_at <= ? ORDER BY due_at LIMIT ?")
    .all(now, limit) as DeadlineRow[];
}

/** The soonest open deadline's time, or null with none. */
export function nextDeadlineAt(store: Store): number | null {
  return (
    sqlite(store).query("SELECT min(due_at) AS at FROM trigger_deadlines").get() as {
      at: number | null;
    }
  ).at;
}

/** Firings are kept this long: `triggers ls` counts them, rate caps look back within it. */
export const FIRINGS_KEPT_MS = 7 * 24 * 3600_000;

/** Record a firing (or one a rate cap held back), forgetting those older than FIRINGS_KEPT_MS. */
export function recordFiring(
  store: Store,
  trigger: string,
  at: number,
  eventId: number | null,
  suppressed: boolean,
): void {
  const db = sqlite(store);
  db.query("DELETE FROM trigger_firings WHERE trigger = ? AND at < ?").run(
    trigger,
    at - FIRINGS_KEPT_MS,
  );
  db.query(
    "INSERT INTO trigger_firings (trigger, at, event_id, suppressed) VALUES (?, ?, ?, ?)",
  ).run(trigger, at, eventId, suppressed ? 1 : 0);
}

/** The update that marks one firing failed (exported for the plan test). */
export const FIRING_FAILURE_SQL =
  "UPDATE trigger_firings SET failure = ? WHERE trigger = ? AND at = ? AND event_id = ? AND suppressed = 0 AND failure IS NULL";

/** The count of a trigger's failed firings since a time (exported for the plan test). */
export const FAILED_COUNT_SQL =
  "SELECT count(*) AS n FROM trigger_firings INDEXED BY trigger_firings_failed WHERE trigger = ? AND suppressed = 0 AND at >= ? AND failure IS NOT NULL";

/**
 * Mark the firing of `trigger` at `firedAt` on event `eventId` failed, with why (its first
 * failure kept: a firing whose second action fails too is one failed firing). Found along the
 * index by trigger and time, not by reading the trigger's firings of the last days.
 */
export function recordFiringFailure(
  store: Store,
  trigger: string,
  firedAt: number,
  eventId: number,
  message: string,
): void {
  sqlite(store).query(FIRING_FAILURE_SQL).run(message, trigger, firedAt, eventId);
}

/** A trigger's firings since some time (see firingsSince). */
export interface Firings {
  /** Firings that acted, and none of whose actions failed. */
  fired: number;
  /** Firings an action of which failed. */
  failed: number;
  /** Firings its rate cap held back. */
  suppressed: number;
  /** When it last fired (acted, or tried to). */
  last: number | null;
  /** Its last failed firing: when, and why. */
  lastFailure: { at: number; message: string } | null;
}

/**
 * A trigger's firings since `since`: those that acted, those that failed, and those its rate
 * cap held back. Each count reads its own index range (trigger, suppressed, at; the failures,
 * their own partial index), so a burst that a cap holds back costs the same for its thousandth
 * event as for its first.
 */
export function firingsSince(store: Store, trigger: string, since: number): Firings {
  const db = sqlite(store);
  const count = db.query(
    "SELECT count(*) AS n, max(at) AS last FROM trigger_firings WHERE trigger = ? AND suppressed = ? AND at >= ?",
  );
  const acted = count.get(trigger, 0, since) as { n: number; last: number | null };
  const held = count.get(trigger, 1, since) as { n: number };
  const failed = db.query(FAILED_COUNT_SQL).get(trigger, since) as { n: number };
  const lastFailure = failed.n
    ? (db
        .query(
          "SELECT at, failure AS message FROM trigger_firings INDEXED BY trigger_firings_failed WHERE trigger = ? AND suppressed = 0 AND at >= ? AND failure IS NOT NULL ORDER BY at DESC LIMIT 1",
        )
        .get(trigger, since) as { at: number; message: string })
    : null;
  return {
    fired: acted.n - failed.n,
    failed: failed.n,
    suppressed: held.n,
    last: acted.last,
    lastFailure,
  };
}

/** Whether a trigger's rate cap held back a firing since `since` (the window's first says so). */
export function heldBackSince(store: Store, trigger: string, since: number): boolean {
  return (
    sqlite(store)
      .query(
        "SELECT 1 FROM trigger_firings WHERE trigger = ? AND suppressed = 1 AND at >= ? LIMIT 1",
      )
      .get(trigger, since) !== null
  );
}

/** How many firings of a trigger acted since `since`, counting at most `limit`. */
export function actedSince(store: Store, trigger: string, since: number, limit: number): number {
  return (
    sqlite(store)
      .query(
        "SELECT count(*) AS n FROM (SELECT 1 FROM trigger_firings WHERE trigger = ? AND suppressed = 0 AND at >= ? LIMIT ?)",
      )
      .get(trigger, since, limit) as { n: number }
  ).n;
}

/** Forget the state of every trigger not in `keep` (removed, changed, or paused). */
export function forgetTriggers(store: Store, keep: readonly string[]): void {
  const db = sqlite(store);
  const list = JSON.stringify(keep);
  for (const table of ["trigger_events", "trigger_deadlines", "trigger_firings"]) {
    db.query(`DELETE FROM ${table} WHERE trigger NOT IN (SELECT value FROM json_each(?))`).run(
      list,
    );
  }
}

/**
 * What `triggers ls` shows of a trigger's window: counted events by bucket (for a join, which
 * counts none, how many of its after events came), open deadlines.
 */
export function triggerWindow(
  store: Store,
  trigger: string,
  since: number,
  join = false,
): { counts: Record<string, number>; deadline: number | null; deadlines: number } {
  const db = sqlite(store);
  const rows = db
    .query(
      join
        ? "SELECT bucket, count(DISTINCT slot) AS n FROM trigger_events WHERE trigger = ? AND slot >= 0 AND at >= ? GROUP BY bucket"
        : "SELECT bucket, count(*) AS n FROM trigger_events WHERE trigger = ? AND slot = -1 AND at >= ? GROUP BY bucket",
    )
    .all(trigger, since) as { bucket: string; n: number }[];
  const open = db
    .query("SELECT min(due_at) AS at, count(*) AS n FROM trigger_deadlines WHERE trigger = ?")
    .get(trigger) as { at: number | null; n: number };
  return {
    counts: Object.fromEntries(rows.map((r) => [r.bucket, r.n])),
    deadline: open.at,
    deadlines: open.n,
  };
}
