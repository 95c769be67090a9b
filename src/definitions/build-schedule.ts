import { type CatchupPolicy, canonicalZone, type ScheduleSpec, zoneHint } from "../core/index.ts";
import { cronProblem, parseIsoInZone, rruleProblem } from "../scheduler/index.ts";
import { duration, type Item, isObject, type Path, type Report } from "./definition-values.ts";

/** One schedule of a deployment, checked (kind, zone, cron, interval, anchor, rrule); null on problems. */
export function buildSchedule(raw: Item, path: Path, report: Report): ScheduleSpec | null {
  const kinds = ["cron", "interval", "rrule"].filter((k) => raw[k] !== undefined);
  let ok = true;
  const fail: Report = (p, m, k) => {
    ok = false;
    report(p, m, k);
  };
  if (kinds.length !== 1) {
    fail(
      path,
      kinds.length
        ? `has ${kinds.join(" and ")}; a schedule has exactly one`
        : 'needs one of "cron", "interval" or "rrule"',
    );
  }
  const written = typeof raw.timezone === "string" ? raw.timezone : "UTC";
  // Stored as the zone's canonical name: "europe/berlin" is Europe/Berlin in listings and plans.
  const timezone = canonicalZone(written);
  if (timezone === undefined) {
    fail(
      [...path, "timezone"],
      `${JSON.stringify(written)} is not an IANA time zone ${zoneHint(written)}`,
    );
  }
  if (typeof raw.cron === "string") {
    const problem = cronProblem(raw.cron);
    if (problem)
      fail(
        [...path, "cron"],
        `${JSON.stringify(raw.cron)} is not a valid cron expression: ${problem}`,
      );
  }
  let interval: number | undefined;
  if (raw.interval !== undefined) {
    interval = duration(raw.interval);
    if (interval !== undefined && interval < 1000)
      fail([...path, "interval"], "must be at least 1s");
  }
  const zone = timezone ?? "UTC";
  const anchorMs = typeof raw.anchor === "string" ? parseIsoInZone(raw.anchor, zone) : null;
  if (typeof raw.anchor === "string" && anchorMs === null) {
    fail(
      [...path, "anchor"],
      `${JSON.stringify(raw.anchor)} is not an ISO time (like "2026-01-01T02:00:00Z", or without an offset in the schedule's time zone)`,
    );
  }
  if (typeof raw.rrule === "string") {
    const anchor = typeof raw.anchor === "string" ? raw.anchor : undefined;
    const problem = rruleProblem(raw.rrule, zone, anchor);
    if (problem) {
      fail(
        [...path, "rrule"],
        `${JSON.stringify(raw.rrule)} is not a valid recurrence rule: ${problem}`,
      );
    }
  }
  if (!ok) return null;
  return {
    ...(typeof raw.cron === "string" ? { cron: raw.cron } : {}),
    ...(interval !== undefined ? { interval_ms: interval } : {}),
    ...(anchorMs !== null ? { anchor: new Date(anchorMs).toISOString() } : {}),
    ...(typeof raw.rrule === "string" ? { rrule: raw.rrule } : {}),
    timezone: zone,
    parameters: isObject(raw.parameters) ? raw.parameters : {},
    active: raw.active !== false,
    catchup: (raw.catchup as CatchupPolicy | undefined) ?? "latest",
    ...(raw.wake === true ? { wake: true } : {}),
  };
}
