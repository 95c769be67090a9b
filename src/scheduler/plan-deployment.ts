import {
  deletePlannedRuns,
  deploymentRun,
  deploymentSpec,
  deploymentToPlan,
  insertRun,
  type NewRun,
  plannedRuns,
  type Store,
  slotTaken,
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
  /**
   * Insert only each schedule's next run, and return the rest of its horizon as `later` (for
   * planLater), found in this same pass: a large project gets every next run first.
   */
  nextFirst?: boolean;
}

/** The rest of one schedule's horizon: its free slots and the run each gets, checked. */
export interface LaterSlots {
  run: NewRun;
  slots: { at: number; key: string }[];
}

/** What planning one deployment did. */
export interface PlanResult {
  created: number;
  removed: number;
  catchup: CatchupResult[];
  problems: string[];
  /** With `nextFirst`: what is left to insert of each schedule's horizon. */
  later: LaterSlots[];
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
  const result: PlanResult = { created: 0, removed: 0, catchup: [], problems: [], later: [] };
  store.tx(() => {
    const row = deploymentToPlan(store, name);
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
      let next: number[];
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
        next = occurrences(schedule, from, Number.POSITIVE_INFINITY, 1);
        const times = [
          ...new Set([
            ...next,
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
      if (input.nextFirst) {
        const rest = slots.filter((slot) => !next.includes(slot.at));
        if (rest.length) result.later.push({ run, slots: rest });
        slots = slots.filter((slot) => next.includes(slot.at));
      }
      result.created += insertSlots(store, run, slots);
    }
  });
  return result;
}

/**
 * Insert the next free slot of each of a deployment's schedules, of the rest of its horizon as
 * `planDeployment` with `nextFirst` found it, and drop those slots from `later`; slots due by
 * `after` are dropped unplanned (a slot that comes due is planned afresh by the scheduler's
 * tick). Returns whether any slot is left. Why one slot at a time: the scheduler plans every
 * deployment's second slot, then every third, so the runs go into the store in time order, and
 * the indexes keyed by a run's time (the claim's, the listings') are appended to rather than
 * written in nine places at once: a third fewer pages per commit. Why not plan the deployment
 * again: that pass read its row, its planned runs and its schedules' slots, and checked its
 * request, moments ago; the scheduler drops what it kept of a deployment whenever the deployment
 * changes, so only time and the slots can have moved since. Call inside a transaction: a throw
 * leaves it with a run half written, which the caller's rollback undoes.
 */
export function planNextSlots(store: Store, later: LaterSlots[], after: number): boolean {
  let left = false;
  for (const { run, slots } of later) {
    while (slots.length && slots[0]!.at <= after) slots.shift();
    const slot = slots.shift();
    if (slot && !slotTaken(store, slot.key)) insertSlots(store, run, [slot]);
    if (slots.length) left = true;
  }
  return left;
}

/**
 * Each free slot is a plain insert, without a savepoint of its own: if one fails, the error
 * leaves the deployment's transaction, which undoes all of them.
 */
function insertSlots(store: Store, run: NewRun, slots: readonly { at: number; key: string }[]) {
  for (const { at, key } of slots)
    insertRun(store, { ...run, scheduledAt: at, idempotencyKey: key });
  return slots.length;
}
