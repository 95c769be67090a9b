import type { ProblemsJson } from "../client/index.ts";

/** One line of the problems pane. */
export interface ProblemLine {
  /** Stable across renders: the line's place in the pane. */
  key: string;
  kind: "file" | "problem" | "notice-head" | "notice" | "blank";
  text: string;
}

/**
 * The problems pane as lines: each invalid file, then every one of its problems (file:line:col),
 * then the runs that crashed while orch was down. Scrolling moves through these lines.
 */
export function problemLines(problems: ProblemsJson): ProblemLine[] {
  const lines: ProblemLine[] = [];
  for (const { file, problems: list } of problems.files) {
    const count = `${list.length} problem${list.length === 1 ? "" : "s"}`;
    // True of a file that deployed before (its deployments keep their last good version) and of
    // one that never did (nothing in it is deployed).
    const text = `${file} (${count}; nothing in it changes until it is fixed)`;
    lines.push({ key: file, kind: "file", text });
    list.forEach((p, i) => {
      lines.push({ key: `${file}#${i}`, kind: "problem", text: p });
    });
  }
  if (problems.notices.length) {
    if (lines.length) lines.push({ key: "blank", kind: "blank", text: "" });
    const head = "Found at start-up (a acknowledges):";
    lines.push({ key: "notices", kind: "notice-head", text: head });
    for (const n of problems.notices) {
      lines.push({ key: `n${n.id}`, kind: "notice", text: n.message });
    }
  }
  return lines;
}
