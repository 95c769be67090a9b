import type { ScheduleSpec } from "../core/index.ts";
import { formatDuration } from "../core/index.ts";

/** A schedule in a few words: `cron 0 2 * * * (Europe/Berlin)`, `every 15m`. */
export function describeSchedule(s: ScheduleSpec): string {
  const zone = s.timezone && s.timezone !== "UTC" ? `, ${s.timezone}` : "";
  const off = s.active ? "" : " (inactive)";
  if (s.interval_ms !== undefined) return `every ${formatDuration(s.interval_ms)}${off}`;
  if (s.cron) return `cron ${s.cron}${zone}${off}`;
  return `rrule ${s.rrule}${zone}${off}`;
}
