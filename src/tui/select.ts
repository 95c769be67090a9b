import type { DeploymentJson } from "../client/index.ts";
import { runListedAt } from "../core/index.ts";
import { isPlannedRun } from "../core/planned-run.ts";
import { computeLayout, type Layout } from "./layout.ts";
import type { MonitorRun, MonitorState, RunsState } from "./state.ts";

/** Remember the last result of a function of one or two arguments compared by identity. */
function memo<A, B, R>(fn: (a: A, b: B) => R): (a: A, b: B) => R {
  let lastA: A | undefined;
  let lastB: B | undefined;
  let last: R | undefined;
  let has = false;
  return (a, b) => {
    if (!has || a !== lastA || b !== lastB) {
      last = fn(a, b);
      lastA = a;
      lastB = b;
      has = true;
    }
    return last as R;
  };
}

const matches = (needle: string, ...hay: (string | null | undefined)[]) =>
  hay.some((h) => h?.toLowerCase().includes(needle));

/** Deployments the filter lets through, by name. */
export const selectDeployments = memo(
  (deployments: readonly DeploymentJson[], filter: string): readonly DeploymentJson[] => {
    const needle = filter.trim().toLowerCase();
    if (!needle) return deployments;
    return deployments.filter((d) => matches(needle, d.name, ...d.tags));
  },
);

/**
 * Ids of the runs the filter lets through: what happened and is happening, by when each is
 * due (core's runListedAt) newest first, then
 * the runs schedules planned, soonest first (so a run that just ended is never buried under
 * the plan).
 */
export const selectRunIds = memo((runs: RunsState, filter: string): readonly string[] => {
  const needle = filter.trim().toLowerCase();
  const ids = needle
    ? runs.order.filter((id) => {
        const r = runs.byId.get(id)!;
        return matches(needle, r.id, r.deployment, r.state, r.state_name);
      })
    : runs.order;
  const planned: MonitorRun[] = [];
  const rest: string[] = [];
  for (const id of ids) {
    const r = runs.byId.get(id)!;
    if (isPlannedRun(r)) planned.push(r);
    else rest.push(id);
  }
  // As `orch runs ls` lists them (core's runListedAt: when due, or when ended unstarted).
  const when = (id: string) => runListedAt(runs.byId.get(id)!) ?? "";
  rest.sort((a, b) => when(b).localeCompare(when(a)));
  planned.sort((a, b) => (a.scheduled_at ?? "").localeCompare(b.scheduled_at ?? ""));
  return [...rest, ...planned.map((r) => r.id)];
});

/** The layout of the current terminal. */
export function selectLayout(state: MonitorState): Layout {
  return computeLayout(state.size, selectDeployments(state.deployments, state.filter).length);
}

/** The selected deployment: the chosen one while it is listed, else the first listed. */
export function selectedDeployment(state: MonitorState): DeploymentJson | null {
  const list = selectDeployments(state.deployments, state.filter);
  return list.find((d) => d.name === state.selectedDeployment) ?? list[0] ?? null;
}

/** The index of the selected deployment in the filtered list (0 when none). */
export function selectedDeploymentIndex(state: MonitorState): number {
  const list = selectDeployments(state.deployments, state.filter);
  return Math.max(
    0,
    list.findIndex((d) => d.name === state.selectedDeployment),
  );
}

/** The selected run: the chosen one while it is listed, else the newest listed. */
export function selectedRun(state: MonitorState): MonitorRun | null {
  const ids = selectRunIds(state.runs, state.filter);
  const id =
    state.selectedRun !== null && state.runs.byId.has(state.selectedRun)
      ? state.selectedRun
      : ids[0];
  return id === undefined ? null : (state.runs.byId.get(id) ?? null);
}

/** The index of the selected run in the filtered list (0 when none). */
export function selectedRunIndex(state: MonitorState): number {
  if (state.selectedRun === null) return 0;
  return Math.max(0, selectRunIds(state.runs, state.filter).indexOf(state.selectedRun));
}

/** The deployment that `r` and `p` act on: the selected one, or the selected run's. */
export function targetDeployment(state: MonitorState): DeploymentJson | null {
  if (state.focus !== "deployments") {
    const run = state.details ? state.runs.byId.get(state.details) : selectedRun(state);
    const own = run?.deployment ? state.deployments.find((d) => d.name === run.deployment) : null;
    if (own) return own;
  }
  return selectedDeployment(state);
}

/** The run that enter, `c` and `R` act on: the open one, else the selected one. */
export function targetRun(state: MonitorState): MonitorRun | null {
  return (state.details ? state.runs.byId.get(state.details) : undefined) ?? selectedRun(state);
}

/** Counts of runs by state for the header: named sub-states (Late) apart from their type. */
export const selectCounts = memo((runs: RunsState, _?: unknown): ReadonlyMap<string, number> => {
  const counts = new Map<string, number>();
  for (const run of runs.byId.values()) {
    const key = run.state_name === "Late" ? "LATE" : run.state;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
});

/** Runs holding a process or a slot: PENDING, RUNNING or CANCELLING. */
export function inFlight(state: MonitorState): number {
  const counts = selectCounts(state.runs, undefined);
  return (
    (counts.get("PENDING") ?? 0) + (counts.get("RUNNING") ?? 0) + (counts.get("CANCELLING") ?? 0)
  );
}

/**
 * Each deployment's NEXT RUN and LAST RUN, as the server sees them: the earliest run waiting in
 * SCHEDULED (what the API's next_run is), and the run that started last (a slot cancelled
 * before it started never ran, so it is not the last run). From the runs held, which the live
 * events keep equal to the server's.
 */
export const selectDeploymentRuns = memo(
  (
    runs: RunsState,
    deployments: readonly DeploymentJson[],
  ): ReadonlyMap<string, { last: MonitorRun | null; next: string | null }> => {
    const last = new Map<string, MonitorRun>();
    const next = new Map<string, string>();
    for (const run of runs.byId.values()) {
      if (!run.deployment) continue;
      if (run.state === "SCHEDULED" && run.scheduled_at) {
        const known = next.get(run.deployment);
        if (!known || run.scheduled_at < known) next.set(run.deployment, run.scheduled_at);
      }
      if (run.started_at) {
        const known = last.get(run.deployment);
        if (!known || run.started_at > known.started_at!) last.set(run.deployment, run);
      }
    }
    const out = new Map<string, { last: MonitorRun | null; next: string | null }>();
    for (const d of deployments) {
      out.set(d.name, { last: last.get(d.name) ?? null, next: next.get(d.name) ?? null });
    }
    return out;
  },
);

/** The earliest NEXT RUN still ahead of `now` (epoch ms), when the list must be drawn again. */
export function nextWake(state: MonitorState, now: number): number | null {
  let soonest: number | null = null;
  for (const { next } of selectDeploymentRuns(state.runs, state.deployments).values()) {
    const at = next ? Date.parse(next) : Number.NaN;
    if (at > now && (soonest === null || at < soonest)) soonest = at;
  }
  return soonest;
}

/** Whether anything shown changes with the clock (a running run's duration). */
export function needsClock(state: MonitorState): boolean {
  if (state.server.status === "offline") return true; // "reconnecting 12s" counts up
  const counts = selectCounts(state.runs, undefined);
  return (counts.get("RUNNING") ?? 0) + (counts.get("CANCELLING") ?? 0) > 0;
}

/** The run whose logs the monitor should follow now: the open one, else the selected one. */
export function runToFollow(state: MonitorState): string | null {
  return state.details ?? selectedRun(state)?.id ?? null;
}
