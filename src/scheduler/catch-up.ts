import { iso, type ScheduleSpec } from "../core/index.ts";
import {
  createDeploymentRun,
  lastHandledSlot,
  type Store,
  slotTaken,
  transitionRun,
  waitingSlotRuns,
} from "../store/index.ts";
import { occurrences, occurrencesBefore } from "./occurrences.ts";
import { slotKey, slotPrefix } from "./schedule-identity.ts";

/** Why slots were missed: orch was down, the machine slept (the clock jumped), or a pause. */
export type MissedCause = "downtime" | "jump" | "paused";

/** `catchup: all` runs at most this many missed slots (the latest ones); the rest are skipped. */
export const CATCHUP_ALL_CAP = 100;

/** Counting missed slots stops here ("more than 10000"). */
const COUNT_CAP = 10_000;

const WHY: Record<MissedCause, string> = {
  downtime: "missed while orch was not running",
  jump: "missed while the machine slept (or its clock was set forward)",
  paused: "missed while the deployment was paused",
};

export interface CatchupInput {
  store: Store;
  deployment: string;
  schedule: ScheduleSpec;
  id: string;
  now: number;
  /** Slots older than now minus this are missed; younger ones are only running a little late. */
  graceMs: number;
  /** Slots up to here after the missed window are due now: they get their runs as usual. */
  dueUntil: number;
  cause: MissedCause;
}

/** What catching up did for one schedule. */
export interface CatchupResult {
  missed: number;
  ran: number;
  skipped: number;
}

/**
 * Catch up one schedule after orch could not run it: the missed window starts after the latest
 * slot of this schedule that was handled (started, finished or recorded as skipped) and ends
 * `graceMs` ago. A schedule that never had a run has nothing to catch up (it is new). In the
 * window, `catchup` decides: `latest` runs one run, for the latest slot; `all` runs every slot up
 * to CATCHUP_ALL_CAP (the latest ones); `none` runs nothing. Runs to make are created due now,
 * so a worker takes them at once. What is skipped stays visible in `runs ls`: a planned run that
 * is skipped is CANCELLED with the reason, and slots never planned are summed up in one
 * CANCELLED run at the newest of them ("skipped 57 runs from … to …"), not one row per slot, so
 * a week of a 1-minute schedule does not bury the listing. Call inside a transaction.
 */
export function catchUp(input: CatchupInput): CatchupResult {
  const { store, deployment, schedule, id, now, cause } = input;
  const cutoff = now - input.graceMs;
  const prefix = slotPrefix(deployment, id);
  const handled = lastHandledSlot(store, prefix);
  const handledAt = handled ? Date.parse(handled.slice(prefix.length)) : null;
  const waiting = waitingSlotRuns(store, prefix, handled, cutoff);
  const after = handledAt ?? (waiting[0] ? waiting[0].scheduled_at - 1 : null);
  const result: CatchupResult = { missed: 0, ran: 0, skipped: 0 };
  if (after === null) return result;
  // Slots of the last few seconds were not missed, only never planned (planning looks ahead of
  // now): they run now, as they would have.
  for (const at of occurrences(schedule, Math.max(after, cutoff) + 1, input.dueUntil + 1, 100)) {
    const key = slotKey(deployment, id, at);
    if (slotTaken(store, key)) continue;
    createDeploymentRun(store, deployment, {
      base: schedule.parameters,
      scheduledAt: at,
      idempotencyKey: key,
      createdBy: "schedule",
      message: `planned by its schedule, ${WHY[cause].replace("missed ", "due ")}`,
    });
  }
  if (after >= cutoff) return result;

  const missed = occurrences(schedule, after + 1, cutoff + 1, COUNT_CAP + 1).length;
  if (missed === 0) return result;
  result.missed = missed;
  const keepCount =
    schedule.catchup === "all" ? CATCHUP_ALL_CAP : schedule.catchup === "latest" ? 1 : 0;
  const keep = new Set(occurrencesBefore(schedule, cutoff, after, keepCount));
  const existing = new Map(waiting.map((run) => [run.scheduled_at, run]));
  const policy =
    schedule.catchup === "all"
      ? `catchup: all, at most the latest ${CATCHUP_ALL_CAP}`
      : `catchup: ${schedule.catchup}`;

  for (const at of [...keep].sort((a, b) => a - b)) {
    result.ran++;
    const planned = existing.get(at);
    if (planned) {
      // Its run was planned before: it runs now, and says why it is late.
      if (planned.state_name === "Scheduled") {
        transitionRun(store, planned.id, {
          type: "SCHEDULED",
          name: "Late",
          message: `catching up: the run of ${iso(at)}, ${WHY[cause]} (${policy})`,
        });
      }
      continue;
    }
    createDeploymentRun(store, deployment, {
      base: schedule.parameters,
      scheduledAt: at,
      idempotencyKey: slotKey(deployment, id, at),
      createdBy: "schedule",
      message: `catching up: the run of ${iso(at)}, ${WHY[cause]} (${policy})`,
    });
  }
  for (const [at, run] of existing) {
    if (keep.has(at)) continue;
    result.skipped++;
    transitionRun(store, run.id, {
      type: "CANCELLED",
      message: `skipped: ${WHY[cause]} (${policy})`,
    });
  }
  const unplanned = missed - keep.size - result.skipped;
  if (unplanned > 0) {
    // The newest missed slot that has no run yet carries the record of all the unplanned ones.
    const recent = occurrencesBefore(schedule, cutoff, after, keep.size + existing.size + 1);
    const at = recent.find((t) => !keep.has(t) && !existing.has(t));
    const oldest = occurrences(schedule, after + 1, cutoff + 1, keep.size + existing.size + 1);
    const first = oldest.find((t) => !keep.has(t) && !existing.has(t));
    if (at !== undefined) {
      const many = missed > COUNT_CAP ? `more than ${COUNT_CAP}` : String(unplanned);
      const what =
        unplanned === 1
          ? `skipped the run of ${iso(at)}`
          : `skipped ${many} runs from ${iso(first ?? at)} to ${iso(at)}`;
      const run = createDeploymentRun(store, deployment, {
        base: schedule.parameters,
        scheduledAt: at,
        idempotencyKey: slotKey(deployment, id, at),
        createdBy: "schedule",
        message: `${what}: ${WHY[cause]} (${policy})`,
      });
      transitionRun(store, run.id, {
        type: "CANCELLED",
        message: `${what}: ${WHY[cause]} (${policy})`,
      });
      result.skipped += unplanned;
    }
  }
  return result;
}
