import { Cron } from "croner";
import { rruleProblem } from "./rrule-occurrences.ts";

export { rruleProblem };

/** Why a cron expression is not valid (5 or 6 fields, croner's syntax), or null when it is. */
export function cronProblem(expression: string): string | null {
  // Crontab habits that mean something elsewhere, each with what orch has instead.
  const zoned = /^(CRON_TZ|TZ)=(\S+)\s+(.+)$/.exec(expression.trim());
  if (zoned) {
    return `${zoned[1]}= is crontab's way to set a zone, not orch's: write cron: "${zoned[3]}" and, beside it in the same schedule, timezone: ${zoned[2]}`;
  }
  if (/^@reboot$/i.test(expression.trim())) {
    return "@reboot is not supported: orch runs schedules while orch up runs and has no event for the machine's start; to run at boot, start orch up at boot (a system service), then have the system's crontab run orch run NAME after it (orch run asks the running server)";
  }
  const fields = expression.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6 && !expression.trim().startsWith("@")) {
    return `has ${fields} fields; a cron expression has 5 (minute hour day month weekday) or 6 (seconds first)`;
  }
  try {
    // A valid pattern no date matches (February 31st) would wait for ever without a word.
    if (new Cron(expression, { paused: true }).nextRun() === null) {
      return "matches no date (like February 31st), so it would never run";
    }
    return null;
  } catch (error) {
    const why = (error as Error).message.replace(/^CronPattern:\s*/, "");
    // A sixth field is seconds, first: one written last as a year (Quartz's, some crons') is
    // read as the weekday's place, and croner's words would not say so.
    const parts = expression.trim().split(/\s+/);
    if (parts.length === 6 && /^\d{4}$/.test(parts[5]!)) {
      return `${why}: a sixth field is seconds, written first (second minute hour day month weekday), and orch has no year field; write the 5 fields "${parts.slice(0, 5).join(" ")}"`;
    }
    return why;
  }
}
