import { Box, Text } from "ink";
import { runLabel } from "../core/index.ts";
import { cell, clockTime, runDuration, stateLabel, stateStyle } from "./format.ts";
import { PaneTitle } from "./PaneTitle.tsx";
import type { MonitorRun } from "./state.ts";

export interface RunTableProps {
  /** Ids of every listed run, newest first; only the rows in view are rendered. */
  ids: readonly string[];
  byId: ReadonlyMap<string, MonitorRun>;
  selected: string | null;
  top: number;
  /** Rows of runs shown (the pane adds a title and column heads). */
  height: number;
  focused: boolean;
  cols: number;
  now: number;
  filter: string;
  loaded: boolean;
}

function columns(cols: number) {
  const wide = cols >= 80;
  const fixed = 2 + 10 + 16 + 10 + (wide ? 16 + 4 : 0);
  const deployment = Math.min(36, Math.max(6, cols - fixed));
  // What is left shows the state's message ("exited with code 1").
  const message = cols - fixed - deployment >= 12 ? cols - fixed - deployment : 0;
  return { wide, deployment, message };
}

/** The runs: id, deployment, live state in colour, start, duration, attempt. Windowed. */
export function RunTable(props: RunTableProps) {
  const { ids, byId, selected, top, height, focused, cols, now } = props;
  const w = columns(cols);
  const visible = ids.slice(top, top + height);
  const range = ids.length > height ? `${top + 1}-${top + visible.length} of ${ids.length}` : "";
  const filter = props.filter ? `filter "${props.filter}"` : "";
  return (
    <Box flexDirection="column" height={height + 2}>
      <PaneTitle
        title={`Runs (${ids.length})`}
        focused={focused}
        cols={cols}
        note={[filter, range].filter(Boolean).join(" · ") || undefined}
      />
      <Text wrap="truncate-end" color="gray">
        {"  "}
        {cell("ID", 10)}
        {cell("DEPLOYMENT", w.deployment)}
        {cell("STATE", 16)}
        {w.wide ? cell("STARTED/DUE", 16) : ""}
        {cell("DURATION", 10)}
        {w.wide ? "TRY " : ""}
        {w.message ? "MESSAGE" : ""}
      </Text>
      {!visible.length && (
        <Text color="gray">
          {!props.loaded
            ? "  loading…"
            : props.filter
              ? `  no runs match \`${props.filter.trim()}\` (esc clears the filter)`
              : "  no runs yet: r triggers the selected deployment"}
        </Text>
      )}
      {visible.map((id) => {
        const run = byId.get(id)!;
        const isSelected = id === selected;
        return (
          <Text key={id} wrap="truncate-end" inverse={isSelected && focused}>
            {isSelected ? (focused ? "› " : "· ") : "  "}
            {cell(id.slice(0, 8), 10)}
            {cell(`${runLabel(run)}${run.name ? ` · ${run.name}` : ""}`, w.deployment)}
            <Text {...stateStyle(run)}>{cell(stateLabel(run), 15)}</Text>{" "}
            {w.wide
              ? cell(
                  run.started_at || !run.scheduled_at
                    ? clockTime(run.started_at, now)
                    : `due ${clockTime(run.scheduled_at, now)}`,
                  16,
                )
              : ""}
            {cell(runDuration(run, now), 10)}
            {w.wide ? cell(String(run.attempt), 4) : ""}
            {w.message ? <Text color="gray">{cell(run.state_message, w.message)}</Text> : null}
          </Text>
        );
      })}
    </Box>
  );
}
