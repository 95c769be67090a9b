import { Box, useInput } from "ink";
import { type ReactNode, useEffect } from "react";
import { DeploymentList } from "./DeploymentList.tsx";
import { EventLine } from "./EventLine.tsx";
import { Header } from "./Header.tsx";
import { HelpOverlay } from "./HelpOverlay.tsx";
import { KeyBar } from "./KeyBar.tsx";
import { LogPane } from "./LogPane.tsx";
import type { MonitorStore } from "./monitor-store.ts";
import { ProblemsOverlay } from "./ProblemsOverlay.tsx";
import { RunDetails } from "./RunDetails.tsx";
import { RunTable } from "./RunTable.tsx";
import {
  needsClock,
  nextWake,
  selectCounts,
  selectDeploymentRuns,
  selectDeployments,
  selectedDeployment,
  selectedRun,
  selectLayout,
  selectRunIds,
} from "./select.ts";
import { TriggerForm } from "./TriggerForm.tsx";
import { useMonitorState } from "./useMonitorState.ts";
import { useNow } from "./useNow.ts";
import { useTerminalSize } from "./useTerminalSize.ts";

/**
 * The monitor's container component: reads the store, passes each pure component its part,
 * and hands key presses to the store. It holds no state of its own.
 */
export function Monitor({
  store,
}: {
  store: Pick<MonitorStore, "getState" | "subscribe" | "dispatch" | "press">;
}) {
  const state = useMonitorState(store);
  const size = useTerminalSize();
  useEffect(() => {
    store.dispatch({ type: "resize", cols: size.cols, rows: size.rows });
  }, [store, size.cols, size.rows]);
  useInput((input, key) => store.press(input, key));
  const now = useNow(needsClock(state), nextWake(state, Date.now()));
  const layout = selectLayout(state);
  const cols = layout.cols;
  const body = Math.max(6, state.size.rows - 4);
  const deployments = selectDeployments(state.deployments, state.filter);
  const ids = selectRunIds(state.runs, state.filter);
  const run = selectedRun(state);
  const open = state.details ? state.runs.byId.get(state.details) : undefined;
  const overlay = state.overlay;
  let main: ReactNode;
  if (overlay?.kind === "help") {
    main = <HelpOverlay height={body} cols={cols} mode={state.mode} />;
  } else if (overlay?.kind === "problems") {
    main = (
      <ProblemsOverlay problems={state.problems} top={overlay.top} height={body} cols={cols} />
    );
  } else if (overlay?.kind === "trigger") {
    main = <TriggerForm form={overlay.form} height={body} cols={cols} />;
  } else if (open) {
    main = (
      <RunDetails
        run={open}
        lines={state.logs.runId === open.id ? state.logs.lines : []}
        logOffset={state.logs.offset}
        logsEnded={state.logs.ended}
        worker={state.workers.find((w) => w.id === open.worker)}
        headRows={layout.detailHeadRows}
        logRows={layout.detailLogRows}
        cols={cols}
        now={now}
      />
    );
  } else {
    main = (
      <>
        <DeploymentList
          deployments={deployments}
          runs={selectDeploymentRuns(state.runs, state.deployments)}
          selected={selectedDeployment(state)?.name ?? null}
          top={state.deploymentsTop}
          height={layout.deploymentRows}
          focused={state.focus === "deployments"}
          cols={cols}
          now={now}
          loaded={state.loaded}
          filter={state.filter}
        />
        <RunTable
          ids={ids}
          byId={state.runs.byId}
          selected={run?.id ?? null}
          top={state.runsTop}
          height={layout.runRows}
          focused={state.focus === "runs"}
          cols={cols}
          now={now}
          filter={state.filter}
          loaded={state.loaded}
        />
        {layout.logRows > 0 && (
          <LogPane
            title={run ? `Logs ${run.id.slice(0, 8)} ${run.deployment ?? ""}`.trim() : "Logs"}
            lines={state.logs.runId === run?.id ? state.logs.lines : []}
            offset={state.logs.offset}
            height={layout.logRows}
            focused={state.focus === "logs"}
            ended={state.logs.ended}
            cols={cols}
            now={now}
            empty={!run}
          />
        )}
      </>
    );
  }
  return (
    <Box flexDirection="column" width={cols} height={state.size.rows - 1}>
      <Header
        mode={state.mode}
        server={state.server}
        workers={state.workers}
        counts={selectCounts(state.runs, undefined)}
        problems={state.problems}
        cols={cols}
        now={now}
      />
      <Box flexDirection="column" height={body} overflow="hidden">
        {main}
      </Box>
      <EventLine event={state.events.at(-1)} server={state.server} now={now} />
      <KeyBar
        overlay={state.overlay}
        details={state.details}
        problems={state.problems.files.length + state.problems.notices.length}
      />
    </Box>
  );
}
