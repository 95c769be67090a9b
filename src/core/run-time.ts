import { parseDuration } from "./duration.ts";
import { OrchError } from "./errors.ts";
import { canonicalZone, zoneHint } from "./time-zone.ts";

/**
 * When a run should start, in epoch ms: an ISO time with an offset (or Z) as it is; a wall time
 * (`2026-12-01T09:00`, `2026-12-01 09:00`, `2026-12-01`) on the clock of `tz`, or of this machine.
 * A time in the past is refused: leaving it out runs the run now. `what` names the option.
 */
export function parseAt(
  at: string,
  tz: string | undefined,
  now = Date.now(),
  what = "--at",
): number {
  const zone = tz === undefined ? undefined : canonicalZone(tz);
  if (tz !== undefined && zone === undefined) {
    throw new OrchError("E_BAD_INPUT", `--tz ${tz} is not a time zone ${zoneHint(tz)}`);
  }
  const text = at.trim().replace(" ", "T");
  let ms: number;
  if (/(Z|[+-]\d\d(:?\d\d)?)$/i.test(text) && text.includes("T")) {
    if (tz !== undefined) {
      throw new OrchError("E_BAD_INPUT", `${what} ${at} has its own offset; leave --tz out`);
    }
    ms = Date.parse(text);
  } else {
    try {
      const wall = Temporal.PlainDateTime.from(text.includes("T") ? text : `${text}T00:00`);
      ms = wall.toZonedDateTime(zone ?? Temporal.Now.timeZoneId()).epochMilliseconds;
    } catch {
      ms = Number.NaN;
    }
  }
  if (Number.isNaN(ms)) {
    throw new OrchError(
      "E_BAD_INPUT",
      `${what} ${JSON.stringify(at)} is not a time; write 2026-12-01T09:00 (with --tz ZONE, or this machine's zone) or 2026-12-01T09:00:00Z`,
    );
  }
  if (ms < now) {
    throw new OrchError(
      "E_BAD_INPUT",
      `${what} ${at} is in the past (${new Date(ms).toISOString()}); leave it out to run now`,
    );
  }
  return ms;
}

/**
 * A start time written either way the monitor's form takes it: a duration from now (`2h`, as
 * `--in`) or a time (as `--at`, on this machine's clock). Empty means now (undefined).
 */
export function parseWhen(text: string, now = Date.now()): number | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const wait = parseDuration(trimmed);
  if (wait !== undefined) return now + wait;
  return parseAt(trimmed, undefined, now, "the start time");
}
