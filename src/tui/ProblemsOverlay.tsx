import { Box, Text } from "ink";
import type { ProblemsJson } from "../client/index.ts";
import { PaneTitle } from "./PaneTitle.tsx";
import { PROBLEM_INDENT, problemLines } from "./problem-lines.ts";

const STYLE = {
  file: { color: "red", bold: true },
  problem: {},
  "notice-head": { color: "yellow", bold: true },
  notice: { color: "red" },
  blank: {},
} as const;

/** The problems pane (`!`): every invalid file with all its problems, and start-up crashes. */
export function ProblemsOverlay({
  problems,
  top,
  height,
  cols,
}: {
  problems: ProblemsJson;
  top: number;
  height: number;
  cols: number;
}) {
  const lines = problemLines(problems, cols);
  const rows = Math.max(1, height - 1);
  const visible = lines.slice(top, top + rows);
  const range = lines.length > rows ? `${top + 1}-${top + visible.length} of ${lines.length}` : "";
  return (
    <Box flexDirection="column" height={height}>
      <PaneTitle title="Problems" focused cols={cols} note={range || undefined} />
      {!lines.length && (
        <Text color="green">{"  "}no problems: every definition file is valid</Text>
      )}
      {visible.map((line) => (
        <Text key={line.key} wrap="truncate-end" {...STYLE[line.kind]}>
          {" ".repeat(PROBLEM_INDENT[line.kind])}
          {line.text}
        </Text>
      ))}
    </Box>
  );
}
