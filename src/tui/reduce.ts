/**
 * The monitor's one reducer: every action is a case of the same switch over the same state,
 * read best side by side. The actions are in action.ts; what the cases share lives beside it
 * (held-runs.ts, selection.ts, reduce-form.ts).
 */
import type { DeploymentJson } from "../client/index.ts";
import type { Action } from "./action.ts";
import { mergeRuns, removeRuns } from "./held-runs.ts";
import { reduceForm } from "./reduce-form.ts";
import { selectLayout } from "./select.ts";
import { keepInView, move } from "./selection.ts";
import { type MonitorState, PANES } from "./state.ts";

const MAX_LOG_LINES = 5000;
const MAX_EVENTS = 100;

/** The monitor's reducer: the next state after `action`. Pure. */
export function reduce(state: MonitorState, action: Action): MonitorState {
  switch (action.type) {
    case "resize":
      return keepInView({ ...state, size: { cols: action.cols, rows: action.rows } });
    case "connection": {
      const since =
        action.status === "offline"
          ? state.server.status === "offline"
            ? state.server.since
            : (action.at ?? Date.now())
          : undefined;
      return {
        ...state,
        server: { ...state.server, status: action.status, error: action.error, since },
      };
    }
    case "snapshot":
      return keepInView({
        ...state,
        loaded: true,
        deployments: sortDeployments(action.deployments),
        workers: action.workers,
        problems: action.problems,
        runs: mergeRuns({ byId: new Map(), order: [] }, action.runs, state.maxRuns, "newer"),
      });
    case "workers":
      return { ...state, workers: action.workers };
    case "deployments":
      return keepInView({ ...state, deployments: sortDeployments(action.deployments) });
    case "problems": {
      const overlay = state.overlay;
      const count = action.problems.files.length + action.problems.notices.length;
      // The problems pane stays open while there are problems; the last one fixed closes it.
      const closes = overlay?.kind === "problems" && count === 0;
      return { ...state, problems: action.problems, overlay: closes ? null : overlay };
    }
    case "runsRemoved":
      return keepInView({ ...state, runs: removeRuns(state.runs, action.ids) });
    case "deploymentUpserted": {
      const others = state.deployments.filter((d) => d.name !== action.deployment.name);
      if (action.deployment.removed) return keepInView({ ...state, deployments: others });
      return keepInView({ ...state, deployments: sortDeployments([...others, action.deployment]) });
    }
    case "deploymentRemoved":
      return keepInView({
        ...state,
        deployments: state.deployments.filter((d) => d.name !== action.name),
      });
    case "runsPage":
      return keepInView({
        ...state,
        runs: mergeRuns(state.runs, action.runs, state.maxRuns, "older"),
      });
    case "runsUpserted":
      return keepInView({
        ...state,
        runs: mergeRuns(state.runs, action.runs, state.maxRuns, "newer", state.selectedRun),
      });
    case "logsFollow":
      if (state.logs.runId === action.runId) {
        return state.logs.ended ? { ...state, logs: { ...state.logs, ended: false } } : state;
      }
      return { ...state, logs: { runId: action.runId, lines: [], ended: false, offset: null } };
    case "logsAppended": {
      if (state.logs.runId !== action.runId || !action.lines.length) return state;
      const lastId = state.logs.lines.at(-1)?.id ?? 0;
      const fresh = action.lines.filter((l) => l.id > lastId);
      if (!fresh.length) return state;
      let lines = [...state.logs.lines, ...fresh];
      let offset = state.logs.offset;
      if (lines.length > MAX_LOG_LINES) {
        const drop = lines.length - MAX_LOG_LINES;
        lines = lines.slice(drop);
        if (offset !== null) offset = Math.max(0, offset - drop);
      }
      return { ...state, logs: { ...state.logs, lines, offset } };
    }
    case "logsEnded":
      if (state.logs.runId !== action.runId) return state;
      return { ...state, logs: { ...state.logs, ended: true } };
    case "event":
      return { ...state, events: [...state.events, action.event].slice(-MAX_EVENTS) };
    case "focus": {
      const order = selectLayout(state).logRows ? PANES : PANES.filter((p) => p !== "logs");
      const at = Math.max(0, order.indexOf(state.focus as never));
      const pane =
        action.pane === "next"
          ? order[(at + 1) % order.length]!
          : action.pane === "previous"
            ? order[(at - 1 + order.length) % order.length]!
            : action.pane;
      return { ...state, focus: pane };
    }
    case "move":
      return move(state, action.by);
    case "moveTo":
      return move(state, action.where === "first" ? -Infinity : Infinity);
    case "select":
      return keepInView({ ...state, selectedRun: action.runId, focus: "runs" });
    case "details":
      return {
        ...state,
        details: action.runId,
        logs: action.runId ? { ...state.logs, offset: null } : state.logs,
      };
    case "overlay":
      return { ...state, overlay: action.overlay };
    case "filter":
      return keepInView({
        ...state,
        filter: action.text,
        deploymentsTop: 0,
        runsTop: 0,
      });
    case "formInput":
    case "formErase":
    case "formMove":
    case "formSending":
    case "formErrors":
      return reduceForm(state, action);
  }
}

function sortDeployments(list: readonly DeploymentJson[]): DeploymentJson[] {
  return list.filter((d) => !d.removed).sort((a, b) => (a.name < b.name ? -1 : 1));
}
