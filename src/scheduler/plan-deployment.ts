import {
  deletePlannedRuns,
  deploymentRun,
  deploymentSpec,
  getDeployment,
  insertRun,
  type NewRun,
  plannedRuns,
  type Store,
  takenSlots,
} from "../store/index.ts";
import { type CatchupResult, catchUp, type MissedCause } from "./catch-up.ts";
import { describeSchedule } from "./describe-schedule.ts";
import { occurrences } from "./occurrences.ts";
import { parseSlotKey, scheduleId, slotKey } from "./schedule-identity.ts";

export interface PlanInput {
  store: Store;
  now: number;
  /** Runs due by now + leadMs are already on their way; planning starts after them. */
  leadMs: number;
  /** Plan at most this many runs per schedule… */
  planAhead: number;
  /** …within this far ahead; the next run of each schedule is always planned. */
  horizonMs: number;
  /** The late threshold; catching up treats slots older than this as missed. */
  graceMs: number;
  /** Catch up first, for this reason (after downtime, a clock jump, a resume). */
  catchup?: MissedCause;
}

/** What planning one deployment did. */
export interface PlanResult {
  created: number;
  removed: number;
  catchup: CatchupResult[];
  problems: string[];
}

/**
 * Bring a deployment's planned runs in line with its definition, in one transaction: a removed
 * or paused deployment loses its never-started schedule runs; otherwise future never-started
 * runs of a schedule that is gone or inactive, or of an older version, are deleted (so a
 * redeploy replaces them with runs of the new version, same slots, same keys), missed slots are
 * caught up when asked, and each active schedule gets its next runs (idempotent: a slot that
 * has a run, in any state, is left alone).
 */
export function planDeployment(input: PlanInput, name: string): PlanResult {
  const { store, now } = input;
  const result: PlanResult = { created: 0, removed: 0, catchup: [], problems: [] };
  store.tx(() => {
    const row = getDeployment(store, name);
    if (!row) return;
    if (row.removed_at !== null || row.paused) {
      const runs = plannedRuns(store, row.id);
      deletePlannedRuns(store, runs);
      result.removed = runs.length;
      return;
    }
    const spec = deploymentSpec(row);
    const current = { row, spec };
    const active = spec.schedules
      .filter((s) => s.active)
      .map((schedule) => ({ schedule, id: scheduleId(schedule) }));
    const ids = new Set(active.map((a) => a.id));
    const stale = plannedRuns(store, row.id, now).filter((run) => {
      const slot = parseSlotKey(name, run.idempotency_key);
      return run.version !== row.version || !slot || !ids.has(slot.id);
    });
    deletePlannedRuns(store, stale);
    result.removed = stale.length;

    const from = now + input.leadMs + 1;
    for (const { schedule, id } of active) {
      let slots: { at: number; key: string }[];
      let run: NewRun;
      try {
        if (input.catchup) {
          result.catchup.push(
            catchUp({
              store,
              deployment: name,
              schedule,
              id,
              now,
              graceMs: input.graceMs,
              dueUntil: now + input.leadMs,
              cause: input.catchup,
            }),
          );
        }
        const times = [
          ...new Set([
            ...occurrences(schedule, from, Number.POSITIVE_INFINITY, 1),
            ...occurrences(schedule, from, from + input.horizonMs, input.planAhead),
          ]),
        ].sort((a, b) => a - b);
        if (!times.length) continue;
        // One read for the slots that have a run (keys of one schedule sort by time), and one
        // check of the request, which throws, writing nothing, when the parameters do not fit
        // the schema.
        const taken = takenSlots(
          store,
          slotKey(name, id, times[0]!),
          slotKey(name, id, times.at(-1)!),
        );
        slots = times
          .map((at) => ({ at, key: slotKey(name, id, at) }))
          .filter((slot) => !taken.has(slot.key));
        if (!slots.length) continue;
        run = deploymentRun(store, name, {
          base: schedule.parameters,
          createdBy: "schedule",
          message: `planned by its schedule: ${describeSchedule(schedule)}`,
          current,
        });
      } catch (error) {
        result.problems.push(`${describeSchedule(schedule)}: ${(error as Error).message}`);
        continue;
      }
      // Then each free slot is a plain insert, without a savepoint of its own: if one fails,
      // the error leaves this deployment's transaction, which undoes all of them.
      for (const { at, key } of slots) {
        insertRun(store, { ...run, scheduledAt: at, idempotencyKey: key });
        result.created++;
      }
    }
  });
  return result;
}
