import { formatDuration, type ScheduleSpec } from "../core/index.ts";
import { scheduleKind } from "./occurrences.ts";
import { rruleWords } from "./rrule-occurrences.ts";
import { wallAt } from "./wall-time.ts";

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const NICKNAMES: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/**
 * A schedule in words, with its zone: "every day at 02:30, Europe/Berlin", "every 15m",
 * "every Monday at 09:00, UTC". What it cannot put in words it shows as written.
 */
export function describeSchedule(schedule: ScheduleSpec): string {
  const off = schedule.active ? "" : " (inactive)";
  const zone = `, ${schedule.timezone}`;
  switch (scheduleKind(schedule)) {
    case "interval": {
      const every = `every ${formatDuration(schedule.interval_ms!)}`;
      if (schedule.interval_ms! % 86_400_000 === 0) {
        const wall = wallAt(
          schedule.anchor ? Date.parse(schedule.anchor) : Date.UTC(1970, 0, 1),
          schedule.anchor ? schedule.timezone : "UTC",
        );
        return `${every} at ${clock(wall.hour, wall.minute)}${zone}${off}`;
      }
      return `${every}${schedule.anchor ? ` from ${schedule.anchor}` : ""}${off}`;
    }
    case "cron":
      return `${cronWords(schedule.cron!) ?? `cron ${schedule.cron}`}${zone}${off}`;
    case "rrule": {
      const words = rruleWords(schedule.rrule!, schedule.timezone, schedule.anchor);
      return `${words ?? `rrule ${schedule.rrule}`}${zone}${off}`;
    }
  }
}

/** Common cron shapes in words, or null. */
function cronWords(expression: string): string | null {
  let fields = (NICKNAMES[expression.trim().toLowerCase()] ?? expression).trim().split(/\s+/);
  if (fields.length === 6) {
    if (fields[0] !== "0") return null;
    fields = fields.slice(1);
  }
  if (fields.length !== 5) return null;
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const number = /^\d+$/;
  const step = /^\*\/(\d+)$/;
  if ([minute, hour, dom, month, dow].every((f) => f === "*")) return "every minute";
  const rest = dom === "*" && month === "*" && dow === "*";
  // Times through the day, on every day or on some weekdays: ", Monday to Friday" after them.
  const onDays = dom === "*" && month === "*" ? (dow === "*" ? "" : dayList(dow)) : null;
  const hours = hourRange(hour);
  if (step.test(minute) && onDays !== null) {
    const n = Number(step.exec(minute)![1]);
    const days = onDays ? `, ${onDays}` : "";
    if (hour === "*") return `every ${n} minutes${days}`;
    if (!hours) return null;
    // The last time is the last multiple of the step in the last hour: */5 9-17 ends at 17:55.
    return `every ${n} minutes from ${clock(hours[0], 0)} to ${clock(hours[1], Math.floor(59 / n) * n)}${days}`;
  }
  if (!number.test(minute)) return null;
  if (rest && hour === "*") return `every hour at minute ${Number(minute)}`;
  if (rest && step.test(hour)) {
    return `every ${step.exec(hour)![1]} hours at minute ${Number(minute)}`;
  }
  if (hours && onDays !== null) {
    const m = Number(minute);
    return `every hour from ${clock(hours[0], m)} to ${clock(hours[1], m)}${onDays ? `, ${onDays}` : ""}`;
  }
  const hourList = hour.split(",");
  if (!hourList.every((h) => number.test(h) && Number(h) < 24)) return null;
  const at = `at ${list(hourList.map((h) => clock(Number(h), Number(minute))))}`;
  if (rest) return `every day ${at}`;
  if (dom === "*" && month === "*") {
    // croner's "nth weekday of the month": 1#2 is the second Monday, 5#L the last Friday.
    const nth = /^(\w+)#([1-5]|L)$/i.exec(dow);
    if (nth) {
      const day = dayIndex(nth[1]!);
      const which = NTH[nth[2]!.toUpperCase()];
      return day < 0 || !which ? null : `on the ${which} ${DAYS[day]} of every month ${at}`;
    }
    const days = weekdays(dow);
    return days ? `every ${days} ${at}` : null;
  }
  if (dow === "*" && dom.toUpperCase() === "L" && month === "*") {
    return `on the last day of every month ${at}`;
  }
  if (dow === "*" && number.test(dom)) {
    if (month === "*") return `on day ${Number(dom)} of every month ${at}`;
    if (number.test(month) && MONTHS[Number(month) - 1]) {
      return `every year on ${Number(dom)} ${MONTHS[Number(month) - 1]} ${at}`;
    }
  }
  return null;
}

const NTH: Record<string, string> = {
  "1": "first",
  "2": "second",
  "3": "third",
  "4": "fourth",
  "5": "fifth",
  L: "last",
};

/** An hour range `9-17` as [9, 17], or null. */
function hourRange(field: string): [number, number] | null {
  const m = /^(\d+)-(\d+)$/.exec(field);
  if (!m) return null;
  const [from, to] = [Number(m[1]), Number(m[2])];
  return from < to && to < 24 ? [from, to] : null;
}

/** A weekday as cron writes it (`1`, `7`, `MON`) as 0 (Sunday) to 6, or -1. */
function dayIndex(part: string): number {
  const names = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
  return /^[0-7]$/.test(part) ? Number(part) % 7 : names.indexOf(part.toUpperCase());
}

/** "1-5" -> "Monday to Friday", "1,3" -> "Monday and Wednesday", or null. */
function dayList(field: string): string | null {
  const days: string[] = [];
  for (const part of field.split(",")) {
    const [from, to, more] = part.split("-");
    const a = dayIndex(from!);
    const b = to === undefined ? a : dayIndex(to);
    if (a < 0 || b < 0 || more !== undefined) return null;
    days.push(to === undefined ? DAYS[a]! : `${DAYS[a]} to ${DAYS[b]}`);
  }
  return list(days);
}

/** "1-5" -> "weekday (Monday to Friday)", "1,3" -> "Monday and Wednesday", or null. */
function weekdays(field: string): string | null {
  const f = field.toUpperCase();
  if (f === "1-5" || f === "MON-FRI") return "weekday (Monday to Friday)";
  if (f === "0,6" || f === "6,0" || f === "SAT,SUN" || f === "SUN,SAT")
    return "Saturday and Sunday";
  return f.includes("-") ? null : dayList(f);
}

function clock(hour: number, minute: number): string {
  return `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}

function list(items: string[]): string {
  return items.length < 2
    ? (items[0] ?? "")
    : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}
