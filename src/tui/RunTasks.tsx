import { Text } from "ink";
import type { TaskRunJson } from "../client/index.ts";
import { cell, runDuration, stateLabel, stateStyle } from "./format.ts";

/** How many task runs are in each state, in words: `3 completed · 1 running · 1 failed`. */
export function taskCounts(tasks: readonly TaskRunJson[]): string {
  const counts = new Map<string, number>();
  for (const t of tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${n} ${state.toLowerCase()}`).join(" · ");
}

/**
 * The task runs worth a glance within `rows` lines: all of them when they fit; otherwise the ones
 * still running or failed first (what a user looks for), then the latest, each group in the
 * order they started.
 */
export function shownTasks(tasks: readonly TaskRunJson[], rows: number): TaskRunJson[] {
  if (tasks.length <= rows) return [...tasks];
  const urgent = (t: TaskRunJson) => t.state !== "COMPLETED";
  const picked = new Set([...tasks.filter(urgent).slice(-rows)]);
  for (let i = tasks.length - 1; i >= 0 && picked.size < rows; i--) picked.add(tasks[i]!);
  return tasks.filter((t) => picked.has(t));
}

/** The run's task runs: a title with the counts, then one line each (state, name, tries, time). */
export function RunTasks(props: {
  tasks: readonly TaskRunJson[];
  rows: number;
  cols: number;
  now: number;
}) {
  const { tasks, cols, now } = props;
  const shown = shownTasks(tasks, Math.max(0, props.rows - 1));
  const hidden = tasks.length - shown.length;
  return (
    <>
      <Text color="gray" wrap="truncate-end">
        tasks {taskCounts(tasks)}
        {hidden ? ` (+${hidden})` : ""}
      </Text>
      {shown.map((t, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a task run has no id on the wire; lines are positional
        <Text key={i} wrap="truncate-end">
          <Text {...stateStyle(t)}>{cell(stateLabel(t), 15)}</Text>
          {cell(t.name, Math.max(8, cols - 32))}
          <Text color="gray">
            {t.attempts > 1 ? ` ×${t.attempts}` : ""} {runDuration(t, now)}
          </Text>
        </Text>
      ))}
    </>
  );
}
