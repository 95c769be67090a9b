import { RRuleTemporal } from "rrule-temporal";
import { toText } from "rrule-temporal/totext";
import { instantOf, wallAt, wallFromMs, wallMs } from "./wall-time.ts";

/*
 * RRULEs (RFC 5545) through rrule-temporal. Why the rule runs in "UTC" while the schedule has a
 * zone: RFC 5545 drops an occurrence whose local time does not exist (so a daily 02:30 rule would
 * not run on the spring-forward day), while orch promises that a 02:30 daily job runs once on
 * both DST days, as its cron schedules do. So the rule is expanded on the zone's wall clock, with
 * UTC standing in for a clock that has no DST, and each wall time is then placed in the zone with
 * one rule for every schedule kind (wall-time.ts): a skipped time moves forward by the gap, a
 * repeated time runs once, at its first occurrence. A rule is a calendar rule: sub-daily rules
 * (FREQ=HOURLY) also follow the wall clock; use `interval` for elapsed time.
 */

const FREQS = ["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY"];
const DAY = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/;
const RANGES: Record<string, [number, number, boolean]> = {
  // part: [min, max, negatives allowed]
  BYSECOND: [0, 59, false],
  BYMINUTE: [0, 59, false],
  BYHOUR: [0, 23, false],
  BYMONTHDAY: [1, 31, true],
  BYYEARDAY: [1, 366, true],
  BYWEEKNO: [1, 53, true],
  BYMONTH: [1, 12, false],
  BYSETPOS: [1, 366, true],
};
const PARTS = ["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST", ...Object.keys(RANGES)];
/** Where a rule starts when neither `anchor` nor DTSTART says: a Monday, the 1st of a month, of a year. */
const DEFAULT_START = "2001-01-01T00:00:00";
/** DST moves clocks by at most about 2 h: wall times this far apart keep their order as instants. */
const MARGIN_MS = 2 * 3_600_000;

interface Compiled {
  rule: RRuleTemporal;
  freq: string;
}

const cache = new Map<string, Compiled>();

/** Why a schedule's rrule text is not a usable recurrence rule, or null when it is. */
export function rruleProblem(text: string, timeZone = "UTC", anchor?: string): string | null {
  try {
    compile(text, timeZone, anchor);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The FREQ of a rule text (DAILY, WEEKLY…), or null. */
export function rruleFreq(text: string): string | null {
  return /(?:^|[;:\n])FREQ=([A-Z]+)/i.exec(text)?.[1]?.toUpperCase() ?? null;
}

/** Times of a rule in [from, to), ascending, at most `limit`. */
export function rruleOccurrences(
  text: string,
  timeZone: string,
  anchor: string | undefined,
  from: number,
  to: number,
  limit: number,
): number[] {
  const { rule } = compile(text, timeZone, anchor);
  const found = new Set<number>();
  const end = Number.isFinite(to) ? wallMs(wallAt(to, timeZone)) + MARGIN_MS : Infinity;
  let cursor = wallMs(wallAt(from, timeZone)) - MARGIN_MS;
  let stopAt = Infinity;
  let inclusive = true;
  while (limit > 0) {
    const next = rule.next(new Date(cursor), inclusive);
    inclusive = false;
    if (!next || next.epochMilliseconds > Math.min(end, stopAt)) break;
    cursor = next.epochMilliseconds;
    const at = instantOf(wallFromMs(cursor), timeZone);
    if (at < from || at >= to) continue;
    found.add(at);
    // Later wall times can still be earlier instants within a DST margin: look that far on.
    if (found.size === limit && stopAt === Infinity) stopAt = cursor + MARGIN_MS;
  }
  return [...found].sort((a, b) => a - b).slice(0, limit);
}

/** Times of a rule in (after, before], newest first, at most `limit`. */
export function rruleOccurrencesBefore(
  text: string,
  timeZone: string,
  anchor: string | undefined,
  before: number,
  after: number,
  limit: number,
): number[] {
  const { rule } = compile(text, timeZone, anchor);
  const found = new Set<number>();
  const floor = Number.isFinite(after) ? wallMs(wallAt(after, timeZone)) - MARGIN_MS : -Infinity;
  let cursor = wallMs(wallAt(before, timeZone)) + MARGIN_MS;
  let stopAt = -Infinity;
  let inclusive = true;
  while (limit > 0) {
    const previous = rule.previous(new Date(cursor), inclusive);
    inclusive = false;
    if (!previous || previous.epochMilliseconds < Math.max(floor, stopAt)) break;
    cursor = previous.epochMilliseconds;
    const at = instantOf(wallFromMs(cursor), timeZone);
    if (at <= after || at > before) continue;
    found.add(at);
    if (found.size === limit && stopAt === -Infinity) stopAt = cursor - MARGIN_MS;
  }
  return [...found].sort((a, b) => b - a).slice(0, limit);
}

/** Parse, check and build a rule once per (text, zone, anchor). Throws with what is wrong. */
function compile(text: string, timeZone: string, anchor: string | undefined): Compiled {
  const key = `${timeZone}\n${anchor ?? ""}\n${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let body: string | null = null;
  let start: Temporal.PlainDateTime | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const dtstart = /^DTSTART(?:;TZID=([^:]+))?:(\d{8}T\d{6})(Z?)$/i.exec(line);
    if (dtstart) {
      start = startWall(
        dtstart[2]!,
        dtstart[1],
        dtstart[3] === "Z" || dtstart[3] === "z",
        timeZone,
      );
    } else if (/^RRULE:/i.test(line)) {
      body = line.slice(6);
    } else if (!line.includes(":") && line.includes("=")) {
      body = line;
    } else {
      throw new Error(
        `the line ${JSON.stringify(line)} is not supported: give the rule (FREQ=...), optionally after a DTSTART line`,
      );
    }
  }
  if (!body) throw new Error('has no rule: it needs FREQ= (like "FREQ=WEEKLY;BYDAY=MO")');
  const { rule: checked, freq } = checkParts(body, timeZone);
  if (!start) {
    start = anchor
      ? wallAt(Date.parse(anchor), timeZone)
      : Temporal.PlainDateTime.from(DEFAULT_START);
  }
  let rule: RRuleTemporal;
  try {
    rule = new RRuleTemporal({ rruleString: checked, dtstart: start.toZonedDateTime("UTC") });
    rule.next(new Date(wallMs(start)), true);
  } catch (error) {
    throw new Error((error as Error).message);
  }
  const compiled = { rule, freq };
  if (cache.size > 500) cache.clear();
  cache.set(key, compiled);
  return compiled;
}

/** DTSTART as a wall time in the schedule's zone. */
function startWall(
  stamp: string,
  tzid: string | undefined,
  utc: boolean,
  timeZone: string,
): Temporal.PlainDateTime {
  const wall = Temporal.PlainDateTime.from(
    `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}`,
  );
  if (utc) return wallAt(instantOf(wall, "UTC"), timeZone);
  if (tzid) {
    try {
      return wallAt(instantOf(wall, tzid), timeZone);
    } catch {
      throw new Error(`DTSTART has an unknown time zone ${JSON.stringify(tzid)}`);
    }
  }
  return wall;
}

/** Check every part of a rule; returns the rule with a UTC UNTIL moved onto the zone's wall clock. */
function checkParts(body: string, timeZone: string): { rule: string; freq: string } {
  const seen = new Map<string, string>();
  for (const part of body.split(";").filter(Boolean)) {
    const eq = part.indexOf("=");
    const name = part.slice(0, eq).toUpperCase();
    const value = part.slice(eq + 1).toUpperCase();
    if (eq <= 0 || !value) throw new Error(`${JSON.stringify(part)} is not NAME=VALUE`);
    if (!PARTS.includes(name)) {
      throw new Error(`${name} is not a part of a recurrence rule (known: ${PARTS.join(", ")})`);
    }
    if (seen.has(name)) throw new Error(`${name} is given twice`);
    seen.set(name, value);
    const range = RANGES[name];
    if (range) {
      for (const item of value.split(",")) {
        const n = Number(item);
        const [min, max, negative] = range;
        const size = Math.abs(n);
        if (!/^[+-]?\d+$/.test(item) || size < min || size > max || (n < 0 && !negative)) {
          throw new Error(
            `${name}=${value}: ${item} is not in ${negative ? "±" : ""}${min}..${max}`,
          );
        }
      }
    }
    if ((name === "INTERVAL" || name === "COUNT") && !/^[1-9]\d*$/.test(value)) {
      throw new Error(`${name}=${value} is not a positive whole number`);
    }
    if (name === "BYDAY" && !value.split(",").every((d) => DAY.test(d))) {
      throw new Error(`BYDAY=${value}: days are MO, TU, WE, TH, FR, SA, SU (optionally -1FR, 2MO)`);
    }
    if (name === "WKST" && !/^(MO|TU|WE|TH|FR|SA|SU)$/.test(value)) {
      throw new Error(`WKST=${value} is not a day (MO..SU)`);
    }
    if (name === "UNTIL" && !/^\d{8}(T\d{6}Z?)?$/.test(value)) {
      throw new Error(`UNTIL=${value} is not a date (20261231) or a time (20261231T235959Z)`);
    }
  }
  const freq = seen.get("FREQ");
  if (!freq) throw new Error('needs FREQ= (like "FREQ=WEEKLY;BYDAY=MO")');
  if (freq === "SECONDLY") {
    throw new Error("FREQ=SECONDLY is not supported; use an interval (interval: 10s) instead");
  }
  if (!FREQS.includes(freq)) throw new Error(`FREQ=${freq} is not one of ${FREQS.join(", ")}`);
  if (seen.has("COUNT") && seen.has("UNTIL")) {
    throw new Error("has both COUNT and UNTIL; RFC 5545 allows one of them");
  }
  const until = seen.get("UNTIL");
  if (until?.endsWith("Z")) {
    const instant = Date.parse(
      `${until.slice(0, 4)}-${until.slice(4, 6)}-${until.slice(6, 8)}T${until.slice(9, 11)}:${until.slice(11, 13)}:${until.slice(13, 15)}Z`,
    );
    const wall = wallAt(instant, timeZone);
    const pad = (n: number, w = 2) => String(n).padStart(w, "0");
    seen.set(
      "UNTIL",
      `${pad(wall.year, 4)}${pad(wall.month)}${pad(wall.day)}T${pad(wall.hour)}${pad(wall.minute)}${pad(wall.second)}Z`,
    );
  }
  return { rule: [...seen].map(([k, v]) => `${k}=${v}`).join(";"), freq };
}

/** A rule in English words ("every week on Monday at 09:00"), or null when it cannot say. */
export function rruleWords(text: string, timeZone: string, anchor?: string): string | null {
  try {
    const words = toText(compile(text, timeZone, anchor).rule, "en", {
      excludeTzAbbreviation: true,
    });
    // Times in 24-hour style, as everywhere else in orch (the text's own style for en is 9 AM;
    // its 24-hour locales say "at 09" for a whole hour).
    return words.replace(
      /\b(\d{1,2})(?::(\d{2}))?(:\d{2})?[\s\u202f]?(AM|PM)\b/g,
      (_, h: string, m = "00", sec = "", half: string) =>
        `${String((Number(h) % 12) + (half === "PM" ? 12 : 0)).padStart(2, "0")}:${m}${sec}`,
    );
  } catch {
    return null;
  }
}
