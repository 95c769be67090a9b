import type { ProblemsJson } from "../client/index.ts";
import { wrapText } from "./format.ts";

/** One line of the problems pane. */
export interface ProblemLine {
  /** Stable across renders: the line's place in the pane. */
  key: string;
  kind: "file" | "problem" | "notice-head" | "notice" | "blank";
  text: string;
}

/** How far each kind of line is indented. */
export const PROBLEM_INDENT: Record<ProblemLine["kind"], number> = {
  file: 2,
  problem: 4,
  "notice-head": 2,
  notice: 4,
  blank: 0,
};

/**
 * The problems pane as lines of a terminal `cols` wide: each invalid file, then every one of its
 * problems (file:line:col), then the runs that crashed while orch was down; a text longer than
 * the terminal goes on over as many lines as it needs. Scrolling moves through these lines, so
 * the last line of the last problem can always be scrolled to.
 */
export function problemLines(problems: ProblemsJson, cols: number): ProblemLine[] {
  const lines: ProblemLine[] = [];
  const add = (line: ProblemLine) => {
    const width = Math.max(10, cols - PROBLEM_INDENT[line.kind]);
    wrapText(line.text, width).forEach((text, i) => {
      lines.push({ ...line, key: i ? `${line.key}~${i}` : line.key, text });
    });
  };
  for (const { file, problems: list } of problems.files) {
    const count = `${list.length} problem${list.length === 1 ? "" : "s"}`;
    // True of a file that deployed before (its deployments keep their last good version) and of
    // one that never did (nothing in it is deployed).
    const text = `${file} (${count}; nothing in it changes until it is fixed)`;
    add({ key: file, kind: "file", text });
    list.forEach((p, i) => {
      add({ key: `${file}#${i}`, kind: "problem", text: p });
    });
  }
  if (problems.notices.length) {
    if (lines.length) lines.push({ key: "blank", kind: "blank", text: "" });
    add({ key: "notices", kind: "notice-head", text: "Found at start-up (a acknowledges):" });
    for (const n of problems.notices) add({ key: `n${n.id}`, kind: "notice", text: n.message });
  }
  return lines;
}
