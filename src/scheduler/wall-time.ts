/**
 * Wall-clock helpers over Temporal (built into Bun): where a time zone's clock shows a time, and
 * which instant a wall time means. A wall time that does not exist (the hour skipped when clocks
 * spring forward) moves forward by the gap; one that exists twice (clocks fall back) is the
 * first: Temporal's "compatible" rule, the same as RFC 5545's for DTSTART and as most cron daemons.
 */

/** The wall time a zone's clock shows at `ms`. */
export function wallAt(ms: number, timeZone: string): Temporal.PlainDateTime {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone).toPlainDateTime();
}

/** The instant a wall time means in a zone (gaps move forward, repeats take the first). */
export function instantOf(wall: Temporal.PlainDateTime, timeZone: string): number {
  return wall.toZonedDateTime(timeZone, { disambiguation: "compatible" }).epochMilliseconds;
}

/** A wall time as if it were UTC: a plain number that orders wall times as the clock shows them. */
export function wallMs(wall: Temporal.PlainDateTime): number {
  return wall.toZonedDateTime("UTC").epochMilliseconds;
}

/** The wall time whose wallMs is `ms`. */
export function wallFromMs(ms: number): Temporal.PlainDateTime {
  return wallAt(ms, "UTC");
}

/**
 * The instant an ISO time names: with an offset or Z as written, without one as a wall time in
 * `timeZone` (an anchor of "2026-01-01T02:00" in Europe/Berlin is 02:00 Berlin time; a date alone
 * is its midnight there). Null when the text is not an ISO time.
 */
export function parseIsoInZone(text: string, timeZone: string): number | null {
  // An offset follows a time ("…T02:00+01:00"); a date alone ("2026-03-27") is midnight in the zone.
  if (/[T ].*(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(text.trim())) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? null : ms;
  }
  try {
    return instantOf(Temporal.PlainDateTime.from(text.trim()), timeZone);
  } catch {
    return null;
  }
}

/**
 * The last instant a range ending at `text` covers: a date alone (`2026-03-10`) is the whole of
 * that day in `timeZone` (its last millisecond), as people mean "to the 10th"; any other ISO time
 * is itself. Null when the text is not an ISO time.
 */
export function parseRangeEndInZone(text: string, timeZone: string): number | null {
  const date = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return parseIsoInZone(text, timeZone);
  try {
    const next = Temporal.PlainDate.from(date).add({ days: 1 }).toPlainDateTime();
    return instantOf(next, timeZone) - 1;
  } catch {
    return null;
  }
}
