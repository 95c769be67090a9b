import type { DeploymentJson } from "../client/index.ts";
import { describeSchedule } from "../client/index.ts";
import { escapeControlChars } from "../core/index.ts";
import { localParts } from "../core/local-zone.ts";
import type { MonitorRun } from "./state.ts";

/** How a state looks: Ink colour props. Late and Crashed stand out on a background. */
export interface StateStyle {
  color?: string;
  backgroundColor?: string;
  bold?: boolean;
  dimColor?: boolean;
}

const STYLES: Record<string, StateStyle> = {
  SCHEDULED: { color: "gray" },
  PENDING: { color: "yellow" },
  RUNNING: { color: "cyan", bold: true },
  COMPLETED: { color: "green" },
  FAILED: { color: "red", bold: true },
  CRASHED: { color: "white", backgroundColor: "red", bold: true },
  CANCELLING: { color: "gray" },
  CANCELLED: { color: "gray" },
  PAUSED: { color: "yellow" },
  Late: { color: "black", backgroundColor: "yellow", bold: true },
  AwaitingRetry: { color: "yellow" },
  TimedOut: { color: "red", bold: true },
};

/** The style of a run's state: its named sub-state's if it has one (Late), else its type's. */
export function stateStyle(run: { state: string; state_name: string }): StateStyle {
  return STYLES[run.state_name] ?? STYLES[run.state] ?? {};
}

/** A run's state in words: the type (RUNNING), or a named sub-state (LATE, AWAITING RETRY). */
export function stateLabel(run: { state: string; state_name: string }): string {
  const plain = run.state_name.toUpperCase() === run.state;
  return plain ? run.state : run.state_name.replace(/([a-z])([A-Z])/g, "$1 $2").toUpperCase();
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/** A time for a table: `14:02:07` today, `03-14 14:02` on another day, `—` for none. */
export function clockTime(iso: string | null, now: number): string {
  if (!iso) return "—";
  const at = localParts(Date.parse(iso));
  const today = localParts(now);
  const time = `${pad2(at.hours)}:${pad2(at.minutes)}`;
  const sameDay = at.year === today.year && at.month === today.month && at.day === today.day;
  if (sameDay) return `${time}:${pad2(at.seconds)}`;
  return `${pad2(at.month)}-${pad2(at.day)} ${time}`;
}

/** A duration in a few characters: `850ms`, `4.2s`, `3m07s`, `2h05m`, `3d04h`. */
export function shortDuration(ms: number): string {
  if (ms < 0) return "0s";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad2(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${pad2(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d${pad2(Math.floor((s % 86_400) / 3600))}h`;
}

/** How long a run ran (or has been running), or `—` before it started. */
export function runDuration(run: Pick<MonitorRun, "started_at" | "ended_at">, now: number): string {
  if (!run.started_at) return "—";
  const end = run.ended_at ? Date.parse(run.ended_at) : now;
  return shortDuration(end - Date.parse(run.started_at));
}

/** A deployment's schedules in words, joined: `every 15m, cron 0 2 * * *`; `—` for none. */
export function schedulesText(deployment: DeploymentJson): string {
  if (!deployment.schedules.length) return "—";
  return deployment.schedules.map(describeSchedule).join(", ");
}

/** The columns a text takes on a terminal: a CJK character or an emoji takes two. */
export const textWidth = (text: string): number => Bun.stringWidth(text);

/**
 * `text` cut to at most `width` terminal columns, ending in an ellipsis when cut; by display
 * width (whole characters: a wide one that does not fit is left out).
 */
export function clip(text: string, width: number): string {
  if (width <= 0) return "";
  if (textWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = textWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

const graphemes = new Intl.Segmenter();

/**
 * `text` broken into lines of at most `width` terminal columns: at spaces where it can, inside a
 * word longer than a line where it must. Always at least one line.
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  const push = () => {
    lines.push(line.trimEnd());
    line = "";
  };
  for (const word of text.split(/(?<= )/)) {
    if (line && textWidth(line + word.trimEnd()) > width) push();
    if (textWidth(word.trimEnd()) <= width) {
      line += word;
      continue;
    }
    // A word longer than a line: as much as fits on each.
    for (const { segment } of graphemes.segment(word)) {
      if (textWidth(line + segment) > width && line) push();
      line += segment;
    }
  }
  if (line || !lines.length) push();
  return lines;
}

/**
 * `text` as a table's cell `width` columns wide: cut with an ellipsis so that a blank column
 * always parts it from the next cell, and padded to exactly `width` columns of the terminal
 * (by display width, so wide characters keep the columns aligned). Line breaks and tabs become
 * spaces, other control characters show as text (see escapeControlChars).
 */
export function cell(text: string, width: number): string {
  if (width <= 0) return "";
  const flat = clip(escapeControlChars(text.replace(/[\r\n\t]+/g, " ")), width - 1);
  return flat + " ".repeat(Math.max(0, width - textWidth(flat)));
}

/** A run's id as the monitor shows it: its first 8 characters. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}
