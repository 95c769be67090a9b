/**
 * Local wall time without the JavaScript engine's time-zone machinery: the first local-time call
 * on a Date (getHours, getTimezoneOffset, …) loads ICU's zone data, about 11 ms of CPU in a
 * compiled orch, measured: a third of what `orch runs ls` needs in all. orch reads the zone file
 * the system itself uses (TZ, else /etc/localtime: TZif, RFC 8536) and its POSIX rule for the
 * years past its table. Where there is no such file, or it cannot be read, Date's own local time
 * is used, so the answer is the same, only slower.
 */

interface ZoneType {
  /** Seconds east of UTC. */
  offset: number;
}

interface Rule {
  stdOffset: number;
  dstOffset?: number;
  start?: RuleDate;
  end?: RuleDate;
}

/** A POSIX TZ rule's date: Jn (1-365, no Feb 29), n (0-365), or Mm.w.d; with a local time. */
interface RuleDate {
  kind: "J" | "n" | "M";
  day: number;
  month: number;
  week: number;
  /** Seconds after local midnight (may be negative or past 24 h). */
  time: number;
}

interface Zone {
  transitions: number[];
  types: ZoneType[];
  /** The type of each transition. */
  index: number[];
  rule?: Rule;
}

let zone: Zone | null | undefined;

/** The zone file the process's local time comes from, or null for UTC / unknown. */
function zonePath(env: Record<string, string | undefined>): string | null | "UTC" {
  const tz = env.TZ;
  if (tz === undefined) return "/etc/localtime";
  const name = tz.startsWith(":") ? tz.slice(1) : tz;
  if (name === "" || name === "UTC" || name === "Etc/UTC" || name === "UTC0") return "UTC";
  if (name.startsWith("/")) return name;
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name) && !name.includes("..")) {
    return `/usr/share/zoneinfo/${name}`;
  }
  return null;
}

/**
 * Read the local zone once (before localParts is asked, for the fast path). Never throws: with
 * no readable zone, localParts falls back to Date's local time.
 */
export async function loadLocalZone(env = process.env): Promise<void> {
  if (zone !== undefined) return;
  if (process.platform === "win32") {
    zone = null;
    return;
  }
  try {
    const path = zonePath(env);
    if (path === "UTC") zone = { transitions: [], types: [{ offset: 0 }], index: [] };
    else if (path === null) zone = null;
    else zone = parseTzif(new Uint8Array(await Bun.file(path).arrayBuffer()));
  } catch {
    zone = null;
  }
}

/** Parse a TZif file (version 1, 2, 3 or 4); null when it is not one. */
export function parseTzif(bytes: Uint8Array): Zone | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4)) === "TZif";
  if (bytes.length < 44 || !magic(0)) return null;
  const counts = (at: number) => [0, 1, 2, 3, 4, 5].map((i) => view.getUint32(at + 20 + i * 4));
  let [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(0) as [number, ...number[]];
  let at = 44;
  let wide = false;
  if (bytes[4]! >= 0x32) {
    // Version 2+: skip the 32-bit block, read the 64-bit one.
    at += timecnt! * 5 + typecnt! * 6 + charcnt! + leap! * 8 + isstd! + isut;
    if (!magic(at)) return null;
    [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(at) as [number, ...number[]];
    at += 44;
    wide = true;
  }
  const size = wide ? 8 : 4;
  const transitions: number[] = [];
  for (let i = 0; i < timecnt!; i++) {
    transitions.push(wide ? Number(view.getBigInt64(at + i * 8)) : view.getInt32(at + i * 4));
  }
  at += timecnt! * size;
  const index = [...bytes.subarray(at, at + timecnt!)];
  at += timecnt!;
  const types: ZoneType[] = [];
  for (let i = 0; i < typecnt!; i++) types.push({ offset: view.getInt32(at + i * 6) });
  at += typecnt! * 6 + charcnt! + leap! * (size + 4) + isstd! + isut;
  if (types.length === 0) return null;
  let rule: Rule | undefined;
  if (wide && bytes[at] === 0x0a) {
    const end = bytes.indexOf(0x0a, at + 1);
    const text = new TextDecoder().decode(bytes.subarray(at + 1, end === -1 ? undefined : end));
    if (text) {
      const parsed = parsePosixTz(text);
      if (!parsed) return null;
      rule = parsed;
    }
  }
  return { transitions, types, index, rule };
}

/** Parse a POSIX TZ string (`CET-1CEST,M3.5.0,M10.5.0/3`); undefined when malformed. */
export function parsePosixTz(text: string): Rule | undefined {
  let rest = text;
  const name = () => {
    const m = /^(<[^>]*>|[A-Za-z]{3,})/.exec(rest);
    if (!m) return false;
    rest = rest.slice(m[0].length);
    return true;
  };
  const clock = (): number | undefined => {
    const m = /^([+-]?)(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?/.exec(rest);
    if (!m) return undefined;
    rest = rest.slice(m[0].length);
    const seconds = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    return m[1] === "-" ? -seconds : seconds;
  };
  const date = (): RuleDate | undefined => {
    const m = /^(?:J(\d{1,3})|(\d{1,3})|M(\d{1,2})\.(\d)\.(\d))/.exec(rest);
    if (!m) return undefined;
    rest = rest.slice(m[0].length);
    let time = 7200;
    if (rest.startsWith("/")) {
      rest = rest.slice(1);
      const t = clock();
      if (t === undefined) return undefined;
      time = t;
    }
    if (m[1] !== undefined) return { kind: "J", day: Number(m[1]), month: 0, week: 0, time };
    if (m[2] !== undefined) return { kind: "n", day: Number(m[2]), month: 0, week: 0, time };
    return { kind: "M", month: Number(m[3]), week: Number(m[4]), day: Number(m[5]), time };
  };
  if (!name()) return undefined;
  const std = clock();
  if (std === undefined) return undefined;
  // POSIX offsets count west of UTC; orch's count east.
  const rule: Rule = { stdOffset: -std };
  if (rest === "") return rule;
  if (!name()) return undefined;
  rule.dstOffset = rule.stdOffset + 3600;
  if (rest !== "" && !rest.startsWith(",")) {
    const dst = clock();
    if (dst === undefined) return undefined;
    rule.dstOffset = -dst;
  }
  // Daylight time with no rule: the POSIX default rule is not guessed; Date answers instead.
  if (!rest.startsWith(",")) return undefined;
  rest = rest.slice(1);
  rule.start = date();
  if (!rule.start || !rest.startsWith(",")) return undefined;
  rest = rest.slice(1);
  rule.end = date();
  return rule.end && rest === "" ? rule : undefined;
}

const DAY = 86_400;

/** Seconds from the epoch to local midnight of a rule's date in `year` (as if UTC). */
function ruleDay(year: number, d: RuleDate): number {
  const jan1 = Date.UTC(year, 0, 1) / 1000;
  if (d.kind === "n") return jan1 + d.day * DAY;
  if (d.kind === "J") {
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    return jan1 + (d.day - 1 + (leap && d.day >= 60 ? 1 : 0)) * DAY;
  }
  // Mm.w.d: day d (0 Sunday) of week w (5: the last) of month m.
  const first = Date.UTC(year, d.month - 1, 1) / 1000;
  const firstWeekday = new Date(first * 1000).getUTCDay();
  let day = 1 + ((d.day - firstWeekday + 7) % 7) + (d.week - 1) * 7;
  const days = new Date(Date.UTC(year, d.month, 0)).getUTCDate();
  while (day > days) day -= 7;
  return first + (day - 1) * DAY;
}

/** The offset (seconds east of UTC) a POSIX rule gives at `t` (seconds since the epoch). */
function ruleOffset(rule: Rule, t: number): number {
  if (rule.dstOffset === undefined || !rule.start || !rule.end) return rule.stdOffset;
  const year = new Date((t + rule.stdOffset) * 1000).getUTCFullYear();
  // The start is given in standard time, the end in daylight time.
  const start = ruleDay(year, rule.start) + rule.start.time - rule.stdOffset;
  const end = ruleDay(year, rule.end) + rule.end.time - rule.dstOffset;
  const dst = start < end ? t >= start && t < end : !(t >= end && t < start);
  return dst ? rule.dstOffset : rule.stdOffset;
}

/** The zone's offset at `t` (seconds since the epoch), in seconds east of UTC. */
export function zoneOffset(z: Zone, t: number): number {
  const { transitions: times } = z;
  if (times.length === 0 || t < times[0]!) {
    if (times.length === 0 && z.rule) return ruleOffset(z.rule, t);
    return z.types[0]!.offset;
  }
  if (t >= times.at(-1)! && z.rule) return ruleOffset(z.rule, t);
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return z.types[z.index[lo]!]!.offset;
}

/** A time's local calendar fields. */
export interface LocalParts {
  year: number;
  /** 1-12. */
  month: number;
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** The local calendar fields of an instant (ms since the epoch). */
export function localParts(ms: number): LocalParts {
  if (zone) {
    const d = new Date(ms + zoneOffset(zone, Math.floor(ms / 1000)) * 1000);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hours: d.getUTCHours(),
      minutes: d.getUTCMinutes(),
      seconds: d.getUTCSeconds(),
    };
  }
  const d = new Date(ms);
  return {
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hours: d.getHours(),
    minutes: d.getMinutes(),
    seconds: d.getSeconds(),
  };
}

/** The local zone's offset at an instant (ms since the epoch), in seconds east of UTC. */
export function localOffset(ms: number): number {
  if (zone) return zoneOffset(zone, Math.floor(ms / 1000));
  return -new Date(ms).getTimezoneOffset() * 60;
}

/** Whether local times come from the zone file (true) or from Date's own machinery. */
export function usesZoneFile(): boolean {
  return Boolean(zone);
}
