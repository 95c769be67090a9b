import { Cron } from "croner";
import type { ScheduleSpec } from "../core/index.ts";
import { rruleOccurrences, rruleOccurrencesBefore } from "./rrule-occurrences.ts";
import { instantOf, wallAt } from "./wall-time.ts";

const DAY_MS = 86_400_000;

/** The kind of a schedule: which one of cron, interval or rrule it has. */
export type ScheduleKind = "cron" | "interval" | "rrule";

/** Which kind a schedule is. */
export function scheduleKind(schedule: ScheduleSpec): ScheduleKind {
  if (schedule.cron !== undefined) return "cron";
  if (schedule.interval_ms !== undefined) return "interval";
  return "rrule";
}

/**
 * A schedule's times in [from, to), ascending, at most `limit`: epoch milliseconds. DST is
 * handled per kind: cron and rrule follow the zone's wall clock (a skipped time runs once, just
 * after the gap; a repeated one runs once, the first time); intervals under a day follow elapsed
 * time, and intervals of whole days keep the anchor's wall-clock time in the zone.
 */
export function occurrences(
  schedule: ScheduleSpec,
  from: number,
  to = Number.POSITIVE_INFINITY,
  limit = 100,
): number[] {
  if (limit <= 0 || from >= to) return [];
  switch (scheduleKind(schedule)) {
    case "cron": {
      const cron = cronOf(schedule);
      const times: number[] = [];
      let cursor = new Date(from - 1);
      while (times.length < limit) {
        const next = cron.nextRun(cursor);
        if (!next || next.getTime() >= to) break;
        times.push(next.getTime());
        cursor = next;
      }
      return times;
    }
    case "interval":
      return intervalTimes(schedule, from, to, limit);
    case "rrule":
      return rruleOccurrences(schedule.rrule!, schedule.timezone, schedule.anchor, from, to, limit);
  }
}

/** A schedule's times in (after, before], newest first, at most `limit`. */
export function occurrencesBefore(
  schedule: ScheduleSpec,
  before: number,
  after = Number.NEGATIVE_INFINITY,
  limit = 100,
): number[] {
  if (limit <= 0 || after >= before) return [];
  switch (scheduleKind(schedule)) {
    case "cron": {
      const times = cronOf(schedule).previousRuns(limit, new Date(before + 1));
      return times.map((d) => d.getTime()).filter((t) => t > after && t <= before);
    }
    case "interval": {
      const times: number[] = [];
      let k = intervalIndexAtOrBefore(schedule, before);
      for (; times.length < limit; k--) {
        const t = intervalTime(schedule, k);
        if (t <= after) break;
        if (t <= before) times.push(t);
      }
      return times;
    }
    case "rrule":
      return rruleOccurrencesBefore(
        schedule.rrule!,
        schedule.timezone,
        schedule.anchor,
        before,
        after,
        limit,
      );
  }
}

const crons = new Map<string, Cron>();

function cronOf(schedule: ScheduleSpec): Cron {
  const key = `${schedule.timezone}\n${schedule.cron}`;
  let cron = crons.get(key);
  if (!cron) {
    if (crons.size > 500) crons.clear();
    cron = new Cron(schedule.cron!, { timezone: schedule.timezone, paused: true });
    crons.set(key, cron);
  }
  return cron;
}

/** Whether an interval counts calendar days in its zone (whole days) rather than elapsed time. */
function isCalendarInterval(schedule: ScheduleSpec): boolean {
  return schedule.interval_ms! % DAY_MS === 0;
}

/**
 * Where interval slots count from: the anchor, or by default the epoch (elapsed intervals, so
 * every orch agrees on the slots) or midnight of 1970-01-01 in the zone (whole days, so `1d`
 * runs at local midnight).
 */
function intervalAnchor(schedule: ScheduleSpec): number {
  if (schedule.anchor) return Date.parse(schedule.anchor);
  if (!isCalendarInterval(schedule)) return 0;
  return instantOf(Temporal.PlainDateTime.from("1970-01-01T00:00:00"), schedule.timezone);
}

/** The k-th slot of an interval schedule (k may be negative). */
function intervalTime(schedule: ScheduleSpec, k: number): number {
  const anchor = intervalAnchor(schedule);
  if (!isCalendarInterval(schedule)) return anchor + k * schedule.interval_ms!;
  const days = (k * schedule.interval_ms!) / DAY_MS;
  return instantOf(wallAt(anchor, schedule.timezone).add({ days }), schedule.timezone);
}

/** The index of the last slot at or before `t`. */
function intervalIndexAtOrBefore(schedule: ScheduleSpec, t: number): number {
  // Elapsed time gives the index; a calendar interval can be off by one around DST, so adjust.
  let k = Math.floor((t - intervalAnchor(schedule)) / schedule.interval_ms!);
  while (intervalTime(schedule, k) > t) k--;
  while (intervalTime(schedule, k + 1) <= t) k++;
  return k;
}

function intervalTimes(schedule: ScheduleSpec, from: number, to: number, limit: number): number[] {
  const times: number[] = [];
  let k = intervalIndexAtOrBefore(schedule, from);
  if (intervalTime(schedule, k) < from) k++;
  for (; times.length < limit; k++) {
    const t = intervalTime(schedule, k);
    if (t >= to) break;
    times.push(t);
  }
  return times;
}
