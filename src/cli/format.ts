import { formatDuration } from "../core/duration.ts";
import type { RunJson, StateType } from "../core/index.ts";
import { localOffset, localParts } from "../core/local-zone.ts";
import { c } from "./output.ts";

/** A state coloured by what it means: green done, red failed, yellow waiting. */
export function paintState(type: StateType | string, name?: string): string {
  const label = name && name.toUpperCase() !== type ? `${type} (${name})` : type;
  switch (type) {
    case "COMPLETED":
      return c.green(label);
    case "FAILED":
    case "CRASHED":
      return c.red(label);
    case "RUNNING":
      return c.blue(label);
    case "CANCELLING":
    case "CANCELLED":
      return c.gray(label);
    default:
      return name === "Late" ? c.yellow(label) : label;
  }
}

/** An ISO time as local `YYYY-MM-DD HH:MM:SS`, or `-`. */
export function localTime(isoTime: string | null | undefined): string {
  if (!isoTime) return "-";
  const d = localParts(Date.parse(isoTime));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.year}-${pad(d.month)}-${pad(d.day)} ${pad(d.hours)}:${pad(d.minutes)}:${pad(d.seconds)}`;
}

/**
 * An ISO time as local `YYYY-MM-DD HH:MM:SS` with the zone it is on: `UTC`, or its offset
 * (`UTC+01:00`), so a time in a listing never reads as another zone's.
 */
export function localTimeWithZone(isoTime: string | null | undefined): string {
  if (!isoTime) return "-";
  const offset = localOffset(Date.parse(isoTime));
  if (offset === 0) return `${localTime(isoTime)} UTC`;
  const abs = Math.abs(offset);
  const pad = (n: number) => String(n).padStart(2, "0");
  const hm = `${pad(Math.floor(abs / 3600))}:${pad(Math.floor((abs % 3600) / 60))}`;
  return `${localTime(isoTime)} UTC${offset < 0 ? "-" : "+"}${hm}`;
}

/** A size for people: 512 B, 1.5 KiB, 3.2 MiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let n = bytes / 1024;
  let i = 0;
  for (; n >= 1024 && i < units.length - 1; i++) n /= 1024;
  return `${n.toFixed(1)} ${units[i]}`;
}

/** How long a run ran (until now while it runs), or `-` before it started. */
export function runDuration(run: Pick<RunJson, "started_at" | "ended_at">): string {
  if (!run.started_at) return "-";
  const end = run.ended_at ? Date.parse(run.ended_at) : Date.now();
  return formatDuration(Math.max(0, end - Date.parse(run.started_at)));
}
