import { Box, Text } from "ink";
import type { ReactNode } from "react";
import type { LogLineJson, WorkerJson } from "../client/index.ts";
import { escapeControlChars, formatBytes, renderTriggeredBy } from "../core/index.ts";
import { cell, clip, clockTime, runDuration, stateLabel, stateStyle } from "./format.ts";
import { LogPane } from "./LogPane.tsx";
import { PaneTitle } from "./PaneTitle.tsx";
import { RunTasks } from "./RunTasks.tsx";
import type { MonitorRun } from "./state.ts";

export interface RunDetailsProps {
  run: MonitorRun;
  lines: readonly LogLineJson[];
  logOffset: number | null;
  logsEnded: boolean;
  /** The worker that ran it, when it is online. */
  worker?: WorkerJson;
  /** Lines above the logs, and lines of logs. */
  headRows: number;
  logRows: number;
  cols: number;
  now: number;
}

/** What the run kept, once its details are in: its result and its artifacts. */
function keptFacts(run: MonitorRun): [string, string][] {
  if (!("result" in run)) return [];
  const { result, artifacts } = run;
  const shown = !result
    ? "—"
    : result.problem !== undefined
      ? `not kept: ${escapeControlChars(result.problem)}`
      : result.file === null
        ? escapeControlChars(JSON.stringify(result.value))
        : `${formatBytes(result.size)} (orch runs result ${run.id.slice(0, 8)})`;
  const listed = artifacts.map((a) => `${escapeControlChars(a.key)} (${a.type})`).join(", ");
  return [
    ["result", shown],
    ["artifacts", listed || "none"],
  ];
}

/**
 * Who started a run: for a trigger's run, which trigger of which deployment, on which event
 * (a webhook by its slug); otherwise what made it (schedule, backfill, api, ...).
 */
export function startedBy(run: Pick<MonitorRun, "created_by" | "triggered_by">): string {
  return run.triggered_by
    ? escapeControlChars(renderTriggeredBy(run.triggered_by))
    : run.created_by;
}

/** One run: its facts, parameters, state timeline and task runs, then its logs. */
export function RunDetails(props: RunDetailsProps) {
  const { run, cols, now } = props;
  const states = "states" in run ? run.states : null;
  const exit =
    run.exit_code !== null ? String(run.exit_code) : run.signal ? `signal ${run.signal}` : "—";
  const children = "children" in run ? (run.children ?? []) : [];
  const facts: [string, string][] = [
    run.parent_id
      ? ["subflow", `${run.flow_name ?? "?"} of run ${run.parent_id.slice(0, 8)}`]
      : ["deployment", `${run.deployment ?? "(ad hoc)"}${run.version ? ` v${run.version}` : ""}`],
    ...(run.name ? ([["name", run.name]] as [string, string][]) : []),
    // One line, near the top: a run's facts outnumber the rows of a small terminal.
    [
      "parameters",
      escapeControlChars(
        Object.entries(run.parameters)
          .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
          .join(", "),
      ) || "none",
    ],
    ["started by", startedBy(run)],
    ["attempt", String(run.attempt)],
    ["scheduled", clockTime(run.scheduled_at, now)],
    ["started", clockTime(run.started_at, now)],
    ["ended", clockTime(run.ended_at, now)],
    ["duration", runDuration(run, now)],
    ["exit code", exit],
    ["worker", props.worker ? `${props.worker.name}@${props.worker.host}` : (run.worker ?? "—")],
    ...keptFacts(run),
  ];
  if (run.state === "PAUSED") facts.push(["resume", "press u (its input is asked for)"]);
  // A subflow's run is a run of its own: listed here by id, name and state.
  for (const child of children) {
    facts.push([
      "subflow",
      `${child.id.slice(0, 8)} ${child.flow_name ?? "?"} ${stateLabel(child)}`,
    ]);
  }
  const half = Math.max(30, Math.floor(cols / 2));
  const left: ReactNode[] = [
    <Text key="state" wrap="truncate-end">
      <Text color="gray">{cell("state", 11)}</Text>
      <Text {...stateStyle(run)}>{stateLabel(run)}</Text>
    </Text>,
    // Each value is cut before the right half, with a blank column between them.
    ...facts.map(([k, v]) => (
      <Text key={k} wrap="truncate-end">
        <Text color="gray">{cell(k, 11)}</Text>
        {clip(v, half - 12)}
      </Text>
    )),
  ];
  const timeline = states ?? [];
  const tasks = "tasks" in run ? run.tasks : [];
  // With task runs, the timeline keeps its latest few states and the tasks get the rest.
  const timelineRows = tasks.length
    ? Math.min(timeline.length, Math.max(1, Math.min(4, props.headRows - 3)))
    : props.headRows - 1;
  const shown = timeline.slice(Math.max(0, timeline.length - timelineRows));
  return (
    <Box flexDirection="column">
      <PaneTitle
        title={`Run ${run.id}`}
        focused
        cols={cols}
        note={run.state_message ? cell(run.state_message, Math.floor(cols / 3)).trim() : undefined}
      />
      <Box height={props.headRows}>
        <Box flexDirection="column" width={half}>
          {left.slice(0, props.headRows)}
        </Box>
        <Box flexDirection="column" width={cols - half}>
          <Text color="gray">state timeline</Text>
          {!states && <Text color="gray">loading…</Text>}
          {shown.map((s) => (
            <Text key={`${s.at}-${s.name}`} wrap="truncate-end">
              <Text color="gray">{clockTime(s.at, now)} </Text>
              <Text {...stateStyle({ state: s.type, state_name: s.name })}>
                {stateLabel({ state: s.type, state_name: s.name })}
              </Text>
              {s.message ? <Text color="gray"> {cell(s.message, cols).trimEnd()}</Text> : null}
            </Text>
          ))}
          {tasks.length ? (
            <RunTasks
              tasks={tasks}
              rows={props.headRows - 1 - shown.length}
              cols={cols - half}
              now={now}
            />
          ) : null}
        </Box>
      </Box>
      <LogPane
        title="Logs"
        lines={props.lines}
        offset={props.logOffset}
        height={props.logRows}
        focused={false}
        ended={props.logsEnded}
        cols={cols}
        now={now}
      />
    </Box>
  );
}
