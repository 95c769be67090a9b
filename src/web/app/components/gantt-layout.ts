/**
 * Where a run's task runs sit on a time axis: one row per task run, a bar from its start to its
 * end (or to now while it runs), and axis ticks at round steps. Pure, so the picture is tested
 * as numbers.
 */
import type { TaskRunJson } from "../../../core/index.ts";

/** One task run's bar, in pixels from the plot's left edge. */
export interface GanttBar {
  name: string;
  row: number;
  /** null: not started (drawn as waiting). */
  x: number | null;
  width: number;
  state: string;
  stateName: string;
  cached: boolean;
  attempts: number;
  running: boolean;
  /** Milliseconds it took (or has taken). */
  ms: number | null;
  message?: string;
}

/** An axis tick: where, and its label in time since the run's start. */
export interface GanttTick {
  x: number;
  ms: number;
}

/** Round steps for the axis, in ms. */
const STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000,
  300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
];

/** The smallest round step that gives at most `most` ticks over `span` ms. */
export function tickStep(span: number, most = 8): number {
  return STEPS.find((s) => span / s <= most) ?? Math.ceil(span / most / 86_400_000) * 86_400_000;
}

const at = (iso: string | null) => (iso ? Date.parse(iso) : null);

/**
 * The bars of `tasks` over `width` pixels: the axis runs from the run's (or its first task's)
 * start to its end (or `now`), so bars of a running flow grow as it goes.
 */
export function ganttLayout(
  tasks: readonly TaskRunJson[],
  run: { started_at: string | null; ended_at: string | null },
  now: number,
  width: number,
): { bars: GanttBar[]; ticks: GanttTick[]; from: number; to: number } {
  const starts = tasks.map((t) => at(t.started_at)).filter((t): t is number => t !== null);
  const runStart = at(run.started_at);
  const runEnded = at(run.ended_at);
  // A task still open when its run ended (a crash) stops where the run did.
  const openUntil = runEnded ?? now;
  const from = Math.min(...starts, ...(runStart === null ? [] : [runStart]), now);
  const stops = tasks.map((t) => {
    const start = at(t.started_at);
    return start === null ? null : (at(t.ended_at) ?? Math.max(start, openUntil));
  });
  const runStop = runEnded ?? (runStart === null ? from : now);
  const to = Math.max(from + 1, runStop, ...stops.filter((s): s is number => s !== null));
  const scale = width / (to - from);
  const bars = tasks.map((t, row): GanttBar => {
    const start = at(t.started_at);
    const stop = stops[row] ?? null;
    return {
      name: t.name,
      row,
      x: start === null ? null : (start - from) * scale,
      // A cache hit takes no time: it still gets a mark a few pixels wide.
      width: start === null || stop === null ? 0 : Math.max(3, (stop - start) * scale),
      state: t.state,
      stateName: t.state_name,
      cached: t.cached,
      attempts: t.attempts,
      running: start !== null && t.ended_at === null && runEnded === null,
      ms: start === null || stop === null ? null : stop - start,
      ...(t.message ? { message: t.message } : {}),
    };
  });
  const step = tickStep(to - from);
  const ticks: GanttTick[] = [];
  for (let ms = 0; ms <= to - from; ms += step) ticks.push({ x: ms * scale, ms });
  return { bars, ticks, from, to };
}
