/**
 * The monitor's one reducer, and the helpers only it uses. Why one file past 300 lines: every
 * action is a case of the same switch over the same state, read best side by side.
 */
import type { DeploymentJson, LogLineJson, ProblemsJson, WorkerJson } from "../client/index.ts";
import {
  selectDeployments,
  selectedDeploymentIndex,
  selectedRun,
  selectedRunIndex,
  selectLayout,
  selectRunIds,
} from "./select.ts";
import {
  type EventLine,
  type MonitorRun,
  type MonitorState,
  type Overlay,
  PANES,
  type Pane,
  type RunsState,
} from "./state.ts";

/** Everything that can happen to the monitor's state. */
export type Action =
  | { type: "resize"; cols: number; rows: number }
  | {
      type: "connection";
      status: "connecting" | "online" | "offline";
      error?: string;
      /** When it went offline (kept while it stays so). */
      at?: number;
    }
  /** Everything the API says now: what was held before is dropped. */
  | {
      type: "snapshot";
      deployments: DeploymentJson[];
      workers: WorkerJson[];
      runs: MonitorRun[];
      problems: ProblemsJson;
    }
  | { type: "workers"; workers: WorkerJson[] }
  /** Every deployment, as the API lists them now. */
  | { type: "deployments"; deployments: DeploymentJson[] }
  | { type: "problems"; problems: ProblemsJson }
  /** Runs the server deleted (planned runs replaced or dropped) or no longer has. */
  | { type: "runsRemoved"; ids: string[] }
  | { type: "deploymentUpserted"; deployment: DeploymentJson }
  | { type: "deploymentRemoved"; name: string }
  /** A page of older runs. */
  | { type: "runsPage"; runs: MonitorRun[] }
  /** Runs that changed or appeared (from the live stream or a command). */
  | { type: "runsUpserted"; runs: MonitorRun[] }
  | { type: "logsFollow"; runId: string }
  | { type: "logsAppended"; runId: string; lines: LogLineJson[] }
  | { type: "logsEnded"; runId: string }
  | { type: "event"; event: EventLine }
  | { type: "focus"; pane: Pane | "next" | "previous" }
  | { type: "move"; by: number }
  | { type: "moveTo"; where: "first" | "last" }
  | { type: "select"; runId: string }
  | { type: "details"; runId: string | null }
  | { type: "overlay"; overlay: Overlay | null }
  | { type: "filter"; text: string }
  | { type: "formInput"; text: string }
  | { type: "formErase" }
  | { type: "formMove"; by: number }
  | { type: "formSending" }
  | { type: "formErrors"; errors: Record<string, string>; message?: string };

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

/**
 * Merge runs into the held ones. Known runs are replaced in place; unknown ones go to the top
 * ("newer": they were just created) or the bottom ("older": a page of history), each at its
 * place by creation time. Beyond `max`, the oldest are dropped (never `keep`, the selection).
 */
export function mergeRuns(
  runs: RunsState,
  incoming: readonly MonitorRun[],
  max: number,
  where: "newer" | "older",
  keep: string | null = null,
): RunsState {
  if (!incoming.length) return runs;
  const byId = new Map(runs.byId);
  const fresh: MonitorRun[] = [];
  for (const run of incoming) {
    const held = byId.get(run.id);
    // A page of history was read before what the live events since brought: the held one wins.
    if (held && where === "older") continue;
    // A list row never replaces a detail (with its states) of the same run and state time.
    if (held && "states" in held && !("states" in run) && held.state === run.state) {
      byId.set(run.id, { ...held, ...run });
    } else {
      byId.set(run.id, run);
    }
    if (!held) fresh.push(run);
  }
  let order = runs.order;
  if (fresh.length) {
    const newest = (a: MonitorRun, b: MonitorRun) =>
      (b.created_at ?? "").localeCompare(a.created_at ?? "");
    fresh.sort(newest);
    if (where === "older") {
      order = [...order, ...fresh.map((r) => r.id)];
    } else {
      const head = order[0] ? byId.get(order[0]) : undefined;
      if (!head || newest(fresh.at(-1)!, head) <= 0) {
        order = [...fresh.map((r) => r.id), ...order];
      } else {
        // Some are older than the newest held (a replay): place each by creation time.
        const all = [...order.map((id) => byId.get(id)!), ...fresh];
        order = all.sort(newest).map((r) => r.id);
      }
    }
  }
  if (order.length > max) {
    const dropped = order.slice(max).filter((id) => id !== keep);
    order = order.slice(0, max);
    if (keep && !order.includes(keep) && byId.has(keep)) order = [...order, keep];
    for (const id of dropped) byId.delete(id);
  }
  return { byId, order };
}

/** The runs without `ids`; the same object when none of them was held. */
export function removeRuns(runs: RunsState, ids: readonly string[]): RunsState {
  const gone = new Set(ids.filter((id) => runs.byId.has(id)));
  if (!gone.size) return runs;
  const byId = new Map(runs.byId);
  for (const id of gone) byId.delete(id);
  return { byId, order: runs.order.filter((id) => !gone.has(id)) };
}

/** Move the selection (or the log view) of the focused pane by `by` rows. */
function move(state: MonitorState, by: number): MonitorState {
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
function keepInView(state: MonitorState): MonitorState {
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

function scrollTo(top: number, at: number, height: number, total: number): number {
  let next = top;
  if (at < next) next = at;
  if (at >= next + height) next = at - height + 1;
  return clamp(next, 0, Math.max(0, total - height));
}

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));

function reduceForm(
  state: MonitorState,
  action: Extract<
    Action,
    { type: "formInput" | "formErase" | "formMove" | "formSending" | "formErrors" }
  >,
): MonitorState {
  const overlay = state.overlay;
  if (overlay?.kind !== "trigger") return state;
  const form = overlay.form;
  const field = form.fields[form.index];
  let next = form;
  if (action.type === "formMove" && form.fields.length) {
    const index = (form.index + action.by + form.fields.length) % form.fields.length;
    next = { ...form, index };
  } else if ((action.type === "formInput" || action.type === "formErase") && field) {
    const text = action.type === "formInput" ? field.text + action.text : field.text.slice(0, -1);
    const fields = form.fields.map((f, i) => (i === form.index ? { ...f, text } : f));
    const { [field.name]: _, ...errors } = form.errors;
    next = { ...form, fields, errors, message: undefined };
  } else if (action.type === "formSending") {
    next = { ...form, sending: true, message: undefined };
  } else if (action.type === "formErrors") {
    next = { ...form, errors: action.errors, message: action.message, sending: false };
  }
  return next === form ? state : { ...state, overlay: { kind: "trigger", form: next } };
}

/** The run whose logs the monitor should follow now: the open one, else the selected one. */
export function runToFollow(state: MonitorState): string | null {
  return state.details ?? selectedRun(state)?.id ?? null;
}
