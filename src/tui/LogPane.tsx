import { Box, Text } from "ink";
import type { LogLineJson } from "../client/index.ts";
import { escapeControlChars } from "../core/index.ts";
import { clockTime } from "./format.ts";
import { PaneTitle } from "./PaneTitle.tsx";

export interface LogPaneProps {
  title: string;
  lines: readonly LogLineJson[];
  /** The first line shown; null follows the tail. */
  offset: number | null;
  /** Lines of log shown (the pane adds a title). */
  height: number;
  focused: boolean;
  ended: boolean;
  cols: number;
  now: number;
  /** No run is selected. */
  empty?: boolean;
}

/** A run's log lines, tailing live unless scrolled back. Only the lines in view are rendered. */
export function LogPane(props: LogPaneProps) {
  const { lines, height, cols, now } = props;
  const start =
    props.offset === null
      ? Math.max(0, lines.length - height)
      : Math.min(props.offset, lines.length);
  const visible = lines.slice(start, start + height);
  const where =
    props.offset === null
      ? props.ended
        ? "ended"
        : "following"
      : `lines ${start + 1}-${start + visible.length} of ${lines.length} · G follows`;
  return (
    <Box flexDirection="column" height={height + 1}>
      <PaneTitle title={props.title} focused={props.focused} cols={cols} note={where} />
      {props.empty && <Text color="gray"> no run selected</Text>}
      {!props.empty && !lines.length && (
        <Text color="gray"> {props.ended ? "(no output)" : "waiting for output…"}</Text>
      )}
      {visible.map((line) => (
        <Text key={line.id} wrap="truncate-end">
          <Text color="gray">{clockTime(line.at, now)} </Text>
          <Text
            color={
              line.stream === "orch"
                ? "magenta"
                : line.level === "error"
                  ? "red"
                  : line.level === "warn"
                    ? "yellow"
                    : undefined
            }
          >
            {/* Control characters shown as text, so a flow cannot drive the terminal; a tab takes one cell. */}
            {escapeControlChars(line.line).replace(/\t/g, " ")}
          </Text>
        </Text>
      ))}
    </Box>
  );
}
