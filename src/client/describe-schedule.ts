import { formatDuration } from "../core/duration.ts";
import type { ScheduleJson, ScheduleSpec } from "../core/index.ts";

/**
 * A schedule in words: the server's description when it sent one (the scheduler's, which the
 * CLI does not load), else its expression.
 */
export function describeSchedule(s: ScheduleSpec | ScheduleJson): string {
  if ("description" in s && s.description) return s.description;
  if (s.interval_ms !== undefined) return `every ${formatDuration(s.interval_ms)}`;
  const zone = s.timezone === "UTC" ? "" : `, ${s.timezone}`;
  return s.cron ? `cron ${s.cron}${zone}` : `rrule ${s.rrule}${zone}`;
}
