import {
  type BackfillRunCounts,
  type BackfillStatus,
  OrchError,
  type ScheduleSpec,
} from "../core/index.ts";
import { recordEvent } from "./events.ts";
import type { Store } from "./open-store.ts";
import type { RunRow } from "./run-row.ts";
import { sqlite } from "./sqlite.ts";
import { TERMINAL } from "./state-sql.ts";

/** A backfill as stored. */
export interface BackfillRow {
  id: string;
  deployment_id: number;
  deployment: string;
  /** 1 for the deployment's first schedule. */
  schedule_index: number;
  /** The schedule's spec (JSON) as it was when the backfill began: its slots do not move. */
  schedule: string;
  from_at: number;
  to_at: number;
  reverse: number;
  only_missing: number;
  max_concurrency: number;
  status: BackfillStatus;
  total: number;
  /** The last slot handled (a run made or the slot skipped), or null before the first. */
  cursor: number | null;
  created: number;
  skipped: number;
  message: string;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
}

/** What a new backfill is. */
export interface NewBackfill {
  deploymentId: number;
  deployment: string;
  scheduleIndex: number;
  schedule: ScheduleSpec;
  from: number;
  to: number;
  reverse: boolean;
  onlyMissing: boolean;
  maxConcurrency: number;
  total: number;
}

/** The schedule a backfill walks. */
export function backfillSchedule(row: BackfillRow): ScheduleSpec {
  return JSON.parse(row.schedule) as ScheduleSpec;
}

/** Store a new backfill, running, with nothing handled yet. */
export function insertBackfill(store: Store, input: NewBackfill): BackfillRow {
  return store.tx(() => {
    const now = store.clock.now();
    const row = sqlite(store)
      .query(
        `INSERT INTO backfills (id, deployment_id, deployment, schedule_index, schedule, from_at,
           to_at, reverse, only_missing, max_concurrency, status, total, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?) RETURNING *`,
      )
      .get(
        crypto.randomUUID(),
        input.deploymentId,
        input.deployment,
        input.scheduleIndex,
        JSON.stringify(input.schedule),
        input.from,
        input.to,
        input.reverse ? 1 : 0,
        input.onlyMissing ? 1 : 0,
        input.maxConcurrency,
        input.total,
        now,
        now,
      ) as BackfillRow;
    backfillEvent(store, row);
    return row;
  });
}

/** A backfill by full id, or null. */
export function getBackfill(store: Store, id: string): BackfillRow | null {
  return sqlite(store).query("SELECT * FROM backfills WHERE id = ?").get(id) as BackfillRow | null;
}

/** A backfill by id or unambiguous id prefix; throws E_NOT_FOUND or E_AMBIGUOUS. */
export function getBackfillOrThrow(store: Store, idOrPrefix: string): BackfillRow {
  const exact = getBackfill(store, idOrPrefix);
  if (exact) return exact;
  const prefix = idOrPrefix.toLowerCase();
  const rows = /^[0-9a-f-]{1,36}$/.test(prefix)
    ? (sqlite(store)
        .query("SELECT * FROM backfills WHERE id >= ? AND id < ? ORDER BY id LIMIT 2")
        .all(prefix, `${prefix}\u{10FFFF}`) as BackfillRow[])
    : [];
  if (rows.length === 1) return rows[0]!;
  if (rows.length === 0) {
    throw new OrchError(
      "E_NOT_FOUND",
      `no backfill with id ${JSON.stringify(idOrPrefix)}; orch backfills ls lists them`,
    );
  }
  throw new OrchError(
    "E_AMBIGUOUS",
    `backfill id prefix ${idOrPrefix} matches more than one backfill; give more characters`,
  );
}

/** Backfills, newest first, at most `limit`. */
export function listBackfills(store: Store, limit = 100): BackfillRow[] {
  return sqlite(store)
    .query("SELECT * FROM backfills ORDER BY created_at DESC, id LIMIT ?")
    .all(limit) as BackfillRow[];
}

/** Ids of the backfills that feed runs now. */
export function runningBackfillIds(store: Store): string[] {
  const rows = sqlite(store)
    .query("SELECT id FROM backfills WHERE status = 'running' ORDER BY created_at")
    .all() as { id: string }[];
  return rows.map((r) => r.id);
}

/** How a backfill's runs stand: counted by state, the unfinished ones as active. */
export function backfillRunCounts(store: Store, id: string): BackfillRunCounts {
  const rows = sqlite(store)
    .query(
      "SELECT state_type AS state, count(*) AS n FROM flow_runs WHERE backfill_id = ? GROUP BY state_type",
    )
    .all(id) as { state: string; n: number }[];
  const counts: BackfillRunCounts = {
    active: 0,
    completed: 0,
    failed: 0,
    crashed: 0,
    cancelled: 0,
  };
  for (const { state, n } of rows) {
    const key = state.toLowerCase();
    if (key === "completed" || key === "failed" || key === "crashed" || key === "cancelled") {
      counts[key] += n;
    } else {
      counts.active += n;
    }
  }
  return counts;
}

/** A backfill's runs that have not finished (to cancel with it). */
export function unfinishedBackfillRuns(store: Store, id: string): RunRow[] {
  return sqlite(store)
    .query(`SELECT * FROM flow_runs WHERE backfill_id = ? AND NOT (${TERMINAL}) ORDER BY seq`)
    .all(id) as RunRow[];
}

/** Whether a deployment has a COMPLETED run for the slot at `at` (--only-missing). */
export function hasCompletedRunAt(store: Store, deploymentId: number, at: number): boolean {
  return (
    sqlite(store)
      .query(
        `SELECT 1 FROM flow_runs WHERE deployment_id = ? AND coalesce(slot_at, scheduled_at) = ?
         AND state_type = 'COMPLETED' LIMIT 1`,
      )
      .get(deploymentId, at) !== null
  );
}

/**
 * Record that the slot at `cursor` was handled: a run was made for it (`made`) or it was
 * skipped. Call in the transaction that made the run, so the cursor and the run are one write.
 */
export function advanceBackfill(
  store: Store,
  id: string,
  cursor: number,
  made: boolean,
): BackfillRow {
  const row = sqlite(store)
    .query(
      `UPDATE backfills SET cursor = ?, created = created + ?, skipped = skipped + ?, updated_at = ?
       WHERE id = ? RETURNING *`,
    )
    .get(cursor, made ? 1 : 0, made ? 0 : 1, store.clock.now(), id) as BackfillRow;
  backfillEvent(store, row);
  return row;
}

/**
 * Move a backfill to `status`, with why. Only a running backfill pauses, only a paused one
 * resumes, and one that ended stays as it is; anything else is refused with what to do.
 */
export function setBackfillStatus(
  store: Store,
  id: string,
  status: BackfillStatus,
  message = "",
): BackfillRow {
  return store.tx(() => {
    const row = getBackfillOrThrow(store, id);
    const ended = row.status === "completed" || row.status === "cancelled";
    const allowed =
      !ended &&
      (status === "cancelled" ||
        status === "completed" ||
        (status === "paused" && row.status === "running") ||
        (status === "running" && row.status === "paused"));
    if (!allowed) {
      const what = ended ? "it has ended" : `it is ${row.status}`;
      throw new OrchError(
        "E_CONFLICT",
        `backfill ${row.id.slice(0, 8)} cannot be ${status === "running" ? "resumed" : status}: ${what}`,
      );
    }
    const now = store.clock.now();
    const next = sqlite(store)
      .query(
        "UPDATE backfills SET status = ?, message = ?, updated_at = ?, ended_at = ? WHERE id = ? RETURNING *",
      )
      .get(
        status,
        message,
        now,
        status === "completed" || status === "cancelled" ? now : null,
        row.id,
      ) as BackfillRow;
    backfillEvent(store, next);
    return next;
  });
}

/** Tell live views (the monitor) where a backfill is. */
function backfillEvent(store: Store, row: BackfillRow): void {
  recordEvent(store, "backfill.updated", row.id, {
    deployment: row.deployment,
    status: row.status,
    total: row.total,
    created: row.created,
    skipped: row.skipped,
  });
}
