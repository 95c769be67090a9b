import type { StateType } from "../core/index.ts";
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
  const d = new Date(isoTime);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
