import { Box, Text } from "ink";
import type { DeploymentJson } from "../client/index.ts";
import { cell, clockTime, schedulesText, stateLabel, stateStyle } from "./format.ts";
import { PaneTitle } from "./PaneTitle.tsx";
import type { MonitorRun } from "./state.ts";

export interface DeploymentListProps {
  deployments: readonly DeploymentJson[];
  /** Each deployment's newest run and next scheduled time. */
  runs: ReadonlyMap<string, { last: MonitorRun | null; next: string | null }>;
  selected: string | null;
  top: number;
  /** Rows of deployments shown (the pane adds a title and column heads). */
  height: number;
  focused: boolean;
  cols: number;
  now: number;
  loaded: boolean;
  /** The filter in force, to say what matched nothing. */
  filter: string;
}

function columns(cols: number) {
  const fixed = 2 + 13 + 16 + 7;
  const rest = Math.max(10, cols - fixed);
  const wide = cols >= 70;
  const name = wide ? Math.min(32, Math.max(12, Math.floor(rest * 0.45))) : rest;
  return { name, schedule: wide ? rest - name : 0 };
}

/** The deployments: name, schedules in words, next run, last run's state, paused. */
export function DeploymentList(props: DeploymentListProps) {
  const { deployments, selected, top, height, focused, cols, now } = props;
  const w = columns(cols);
  const visible = deployments.slice(top, top + height);
  const more = deployments.length > height ? `${top + 1}-${top + visible.length}` : undefined;
  return (
    <Box flexDirection="column" height={height + 2}>
      <PaneTitle
        title={`Deployments (${deployments.length})`}
        focused={focused}
        cols={cols}
        note={more}
      />
      <Text wrap="truncate-end" color="gray">
        {"  "}
        {cell("NAME", w.name)}
        {w.schedule ? cell("SCHEDULE", w.schedule) : ""}
        {cell("NEXT RUN", 13)}
        {cell("LAST RUN", 16)}
        {cell("", 7)}
      </Text>
      {!visible.length && (
        <Text color="gray">
          {!props.loaded
            ? "  loading…"
            : props.filter.trim()
              ? `  no deployments match \`${props.filter.trim()}\` (esc clears the filter)`
              : "  no deployments: add one to flows/*.yaml"}
        </Text>
      )}
      {visible.map((d) => {
        const { last, next } = props.runs.get(d.name) ?? { last: null, next: null };
        const isSelected = d.name === selected;
        return (
          <Text key={d.name} wrap="truncate-end" inverse={isSelected && focused}>
            {isSelected ? (focused ? "› " : "· ") : "  "}
            {cell(d.name, w.name)}
            {w.schedule ? cell(schedulesText(d), w.schedule) : ""}
            {d.paused ? (
              cell("—", 13)
            ) : (
              // A run still waiting after its time (late, or not yet taken) shows as overdue.
              <Text color={next && Date.parse(next) <= now ? "yellow" : undefined}>
                {cell(clockTime(next, now), 13)}
              </Text>
            )}
            {last ? (
              <Text {...stateStyle(last)}>{cell(stateLabel(last), 15)}</Text>
            ) : (
              <Text color="gray">{cell("—", 15)}</Text>
            )}{" "}
            {d.paused ? <Text color="yellow">paused</Text> : cell("", 6)}
          </Text>
        );
      })}
    </Box>
  );
}
