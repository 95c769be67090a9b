import { createConsola } from "consola/core";
import { escapeControlChars } from "../core/escape-control.ts";
import { renderFields, streamLevel } from "../core/log-record.ts";
import { isTerminal, type OutStream, write } from "../core/stdio.ts";

/** Colour only on a terminal, and never with NO_COLOR set (to anything). */
export function useColor(stream: OutStream = "stdout"): boolean {
  if (process.env.NO_COLOR !== undefined) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== "0") return true;
  return isTerminal(stream) && process.env.TERM !== "dumb";
}

const paint =
  (open: number, close = 39) =>
  (text: string, stream: OutStream = "stdout"): string =>
    useColor(stream) ? `\u001B[${open}m${text}\u001B[${close}m` : text;

export const c = {
  bold: paint(1, 22),
  dim: paint(2, 22),
  red: paint(31),
  green: paint(32),
  yellow: paint(33),
  blue: paint(34),
  magenta: paint(35),
  cyan: paint(36),
  gray: paint(90),
};

/** Remove ANSI colour codes. */
export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape is the point
  return text.replace(/\u001B\[[0-9;]*m/g, "");
}

const LEVEL_TAGS: Record<number, (t: string) => string> = {
  0: (t) => c.red(t, "stderr"),
  1: (t) => c.yellow(t, "stderr"),
};

/** consola's core with a plain reporter, to stderr, so stdout carries only what a command prints. */
const createLog = () =>
  createConsola({
    level: process.env.ORCH_QUIET ? 1 : 3,
    reporters: [
      {
        log(entry) {
          const text = entry.args
            .map((a) =>
              a instanceof Error ? a.message : typeof a === "string" ? a : Bun.inspect(a),
            )
            .join(" ");
          const tag =
            entry.type === "error" || entry.type === "fatal"
              ? "error"
              : entry.type === "warn"
                ? "warn"
                : entry.type === "success"
                  ? "✔"
                  : "";
          const painted = tag
            ? `${(LEVEL_TAGS[entry.level] ?? ((t: string) => c.green(t, "stderr")))(tag)} `
            : "";
          write("stderr", `${painted}${text}\n`);
        },
      },
    ],
  });

let consola: ReturnType<typeof createLog> | undefined;
const at =
  (level: "info" | "success" | "warn" | "error") =>
  (message: unknown, ...args: unknown[]): void => {
    consola ??= createLog();
    consola[level](message, ...args);
  };

/**
 * The CLI's logger (consola, made at the first message: a command that only prints a table
 * never pays for it).
 */
export const log = {
  info: at("info"),
  /**
   * Lines, each as `info` prints a string, in one write to stderr and without consola: a
   * server's log of runs passes here by the hundred a second (log-run-states.ts).
   */
  infoLines(lines: string[]): void {
    if (process.env.ORCH_QUIET || lines.length === 0) return;
    write("stderr", `${lines.join("\n")}\n`);
  },
  success: at("success"),
  warn: at("warn"),
  error: at("error"),
};

/** Print one JSON document on stdout. */
export function printJson(value: unknown): void {
  write("stdout", `${JSON.stringify(value, null, 2)}\n`);
}

/** Render rows as an aligned table with a header; cells may hold colour codes. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => stripAnsi(r[i] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === cells.length - 1 ? cell : cell + " ".repeat(widths[i]! - stripAnsi(cell).length),
      )
      .join("  ")
      .trimEnd();
  return [c.bold(line(header)), ...rows.map(line)].join("\n");
}

/** The `--raw` option of the commands that print a run's logs. */
export const rawArg = {
  raw: {
    type: "boolean",
    description:
      "Print log lines exactly as the flow wrote them, terminal escape sequences and all",
  },
} as const;

/**
 * Print one of a run's log lines. Every line goes to stdout, whatever stream the flow wrote it
 * on, so `> file` and `| grep` keep every line in its order (to stderr only when stdout carries
 * JSON); the CLI's own messages stay on stderr. A level other than info is named before the text
 * (a plain line that says none is info, on either stream), orch's own lines are yellow. Control
 * characters are shown escaped (see escapeControlChars) unless `raw`, so a flow cannot drive the
 * reader's terminal.
 */
export function showLogLine(
  l: {
    at?: string | number;
    stream: string;
    line: string;
    level?: string;
    fields?: Record<string, unknown>;
  },
  options: { json?: boolean; raw?: boolean; timestamps?: boolean } = {},
): void {
  const safe = (text: string) => (options.raw ? text : escapeControlChars(text));
  const out: OutStream = options.json ? "stderr" : "stdout";
  let text = safe(l.line);
  if (l.stream === "orch") text = c.yellow(text, out);
  // Named since the stream no longer tells it: a warning, an error, a debug line.
  const level = l.level ?? streamLevel(l.stream);
  // orch's own lines (yellow) are warnings unless they say otherwise.
  if (level !== (l.stream === "orch" ? streamLevel("orch") : "info")) {
    const name = level.toUpperCase().padEnd(5);
    const paint = level === "error" ? c.red : level === "warn" ? c.yellow : c.gray;
    text = `${paint(name, out)} ${text}`;
  }
  if (l.fields && Object.keys(l.fields).length) {
    text += ` ${c.gray(safe(renderFields(l.fields)), out)}`;
  }
  if (options.timestamps && l.at !== undefined) {
    text = `${c.gray(typeof l.at === "number" ? new Date(l.at).toISOString() : l.at, out)} ${text}`;
  }
  write(out, `${text}\n`);
}
