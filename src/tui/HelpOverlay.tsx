import { Box, Text } from "ink";
import { PaneTitle } from "./PaneTitle.tsx";
import type { MonitorMode } from "./state.ts";

/** Every key of the monitor, as the help overlay and the README show them. */
export const KEYS: [key: string, what: string][] = [
  ["↑ ↓  j k", "move in the pane (in logs: scroll); PgUp PgDn, g G: page, first, last"],
  ["tab  shift-tab", "next / previous pane: deployments, runs, logs"],
  ["enter", "a run's details: state timeline, parameters, exit code, logs (esc: back)"],
  ["r", "trigger the selected deployment: a form from its parameter schema"],
  ["c", "cancel the selected run (asks first)"],
  ["R", "retry the selected run (a failed one: from its failed task, or every task)"],
  ["u", "resume the selected paused run (a form asks for its input)"],
  ["p", "pause or resume the selected deployment's schedules"],
  ["/", "filter deployments and runs by name, id or state (esc clears)"],
  [
    "!",
    "problems: every invalid definition file with all its problems, start-up crashes (a: acknowledge)",
  ],
  ["?", "this help"],
  ["q", "quit (orch up: stops the server, asking first when runs are in flight)"],
  ["ctrl-c", "quit now"],
];

/** The help: every key and what it does. */
export function HelpOverlay({
  height,
  cols,
  mode,
}: {
  height: number;
  cols: number;
  mode: MonitorMode;
}) {
  const width = Math.max(...KEYS.map(([k]) => k.length)) + 2;
  return (
    <Box flexDirection="column" height={height}>
      <PaneTitle title="Keys" focused cols={cols} note="any key closes" />
      {KEYS.slice(0, Math.max(0, height - 3)).map(([key, what]) => (
        <Text key={key} wrap="truncate-end">
          {"  "}
          <Text color="cyan" bold>
            {key.padEnd(width)}
          </Text>
          {what}
        </Text>
      ))}
      <Text> </Text>
      <Text color="gray" wrap="truncate-end">
        {mode === "up"
          ? "  This monitor runs inside orch up: quitting it stops the server."
          : "  Attached to a running server: quitting leaves it running."}
      </Text>
    </Box>
  );
}
