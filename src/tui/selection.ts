/** The monitor's selection and scrolling: moved by keys, and kept in view as lists change. */
import {
  selectDeployments,
  selectedDeploymentIndex,
  selectedRunIndex,
  selectLayout,
  selectRunIds,
} from "./select.ts";
import type { MonitorState } from "./state.ts";

/** Move the selection (or the log view) of the focused pane by `by` rows. */
export function move(state: MonitorState, by: number): MonitorState {
  const layout = selectLayout(state);
  if (state.details || state.focus === "logs") {
    const height = state.details ? layout.detailLogRows : layout.logRows;
    const total = state.logs.lines.length;
    const bottom = Math.max(0, total - height);
    const current = state.logs.offset ?? bottom;
    const next = Math.max(0, Math.min(bottom, current + by));
    return { ...state, logs: { ...state.logs, offset: next >= bottom ? null : next } };
  }
  if (state.focus === "deployments") {
    const list = selectDeployments(state.deployments, state.filter);
    if (!list.length) return state;
    const at = clamp(selectedDeploymentIndex(state) + by, 0, list.length - 1);
    return keepInView({ ...state, selectedDeployment: list[at]!.name });
  }
  const ids = selectRunIds(state.runs, state.filter);
  if (!ids.length) return state;
  const current = state.selectedRun === null ? 0 : selectedRunIndex(state);
  const at = clamp(current + by, 0, ids.length - 1);
  return keepInView({ ...state, selectedRun: ids[at]! });
}

/** Scroll each list so that its selection is in view, and pin the selection to a listed row. */
export function keepInView(state: MonitorState): MonitorState {
  const layout = selectLayout(state);
  let { deploymentsTop, runsTop, selectedRun: runId, selectedDeployment: name } = state;
  const deps = selectDeployments(state.deployments, state.filter);
  if (name !== null && !deps.some((d) => d.name === name)) name = deps[0]?.name ?? null;
  const dAt = name === null ? 0 : deps.findIndex((d) => d.name === name);
  deploymentsTop = scrollTo(deploymentsTop, dAt, layout.deploymentRows, deps.length);
  const ids = selectRunIds(state.runs, state.filter);
  if (runId !== null && !state.runs.byId.has(runId)) runId = null;
  // A run the server no longer has closes its details rather than loading for ever.
  const details =
    state.details !== null && !state.runs.byId.has(state.details) ? null : state.details;
  const rAt = runId === null ? 0 : Math.max(0, ids.indexOf(runId));
  runsTop = scrollTo(runsTop, rAt, layout.runRows, ids.length);
  if (
    deploymentsTop === state.deploymentsTop &&
    runsTop === state.runsTop &&
    runId === state.selectedRun &&
    name === state.selectedDeployment &&
    details === state.details
  ) {
    return state;
  }
  return {
    ...state,
    deploymentsTop,
    runsTop,
    selectedRun: runId,
    selectedDeployment: name,
    details,
  };
}

/** The top row that shows row `at` of `total` in `height` rows, moving as little as it can. */
function scrollTo(top: number, at: number, height: number, total: number): number {
  let next = top;
  if (at < next) next = at;
  if (at >= next + height) next = at - height + 1;
  return clamp(next, 0, Math.max(0, total - height));
}

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));
