/** @jsxImportSource preact */
/**
 * A run's task runs on a time axis (hand-drawn SVG): one bar per task run, coloured by its state;
 * a cache hit is an outlined mark, a task that retried carries its attempt count, a running one
 * grows until it ends.
 */
import type { TaskRunJson } from "../../../core/index.ts";
import { formatDuration } from "./format.ts";
import { ganttLayout } from "./gantt-layout.ts";
import { useWidth } from "./useWidth.ts";

const LABEL = 190;
const ROW = 22;
const AXIS = 22;
/** More task runs than this are summed up below the chart rather than drawn. */
const MAX_ROWS = 400;

/** The colour class of a task's bar: its state name where it tells more (AwaitingRetry). */
const colour = (state: string, name: string) =>
  `fg-${(/retry/i.test(name) ? name : state).toLowerCase()}`;

/** The Gantt chart of a run's task runs. */
export function Gantt({
  tasks,
  run,
  now,
}: {
  tasks: readonly TaskRunJson[];
  run: { started_at: string | null; ended_at: string | null };
  now: number;
}) {
  const { ref, width } = useWidth<HTMLDivElement>(800);
  if (!tasks.length) return <p class="muted">No task runs.</p>;
  const shown = tasks.slice(0, MAX_ROWS);
  const plot = Math.max(100, width - LABEL - 60);
  const { bars, ticks } = ganttLayout(shown, run, now, plot);
  const height = AXIS + bars.length * ROW + 4;
  return (
    <div ref={ref} data-testid="gantt">
      <svg class="gantt" width={width} height={height} role="img" aria-label="Task runs over time">
        <g class="axis">
          {ticks.map((t) => (
            <g key={t.ms}>
              <line class="grid" x1={LABEL + t.x} x2={LABEL + t.x} y1={AXIS - 4} y2={height} />
              <text x={LABEL + t.x + 3} y={12}>
                {t.ms === 0 ? "0" : `+${formatDuration(t.ms)}`}
              </text>
            </g>
          ))}
        </g>
        {bars.map((b) => {
          const y = AXIS + b.row * ROW;
          const label = b.name.length > 26 ? `${b.name.slice(0, 25)}…` : b.name;
          const retries = b.attempts > 1 ? b.attempts - 1 : 0;
          const title = [
            b.name,
            b.stateName,
            b.ms === null ? "not started" : formatDuration(b.ms),
            b.cached ? "value from the cache" : "",
            b.attempts > 1 ? `${b.attempts} attempts` : "",
            b.message ?? "",
          ]
            .filter(Boolean)
            .join(" · ");
          return (
            <g
              key={`${b.row}`}
              class={colour(b.state, b.stateName)}
              data-testid="gantt-bar"
              data-task={b.name}
              data-state={b.stateName}
              data-cached={b.cached ? "1" : undefined}
              data-attempts={b.attempts}
            >
              <title>{title}</title>
              <text x={0} y={y + 15}>
                {label}
              </text>
              {b.x === null ? (
                <text x={LABEL} y={y + 15} class="muted">
                  waiting
                </text>
              ) : (
                <>
                  <rect
                    class={`bar ${b.cached ? "cached" : ""}`}
                    x={LABEL + b.x}
                    y={y + 4}
                    width={b.width}
                    height={ROW - 8}
                    rx={2}
                  />
                  {retries > 0 ? (
                    <g>
                      <circle class="retry" cx={LABEL + b.x} cy={y + ROW / 2} r={6} />
                      <text x={LABEL + b.x - 3} y={y + ROW / 2 + 4} font-size="9">
                        {retries}
                      </text>
                    </g>
                  ) : null}
                  <text x={LABEL + b.x + b.width + 6} y={y + 15}>
                    {b.cached ? "cached" : b.ms === null ? "" : formatDuration(b.ms)}
                    {retries ? ` · ${retries} ${retries === 1 ? "retry" : "retries"}` : ""}
                  </text>
                </>
              )}
            </g>
          );
        })}
      </svg>
      <div class="gantt-legend">
        <span>Bars: time each task run took, coloured by its state</span>
        <span>Dashed outline: value from the cache</span>
        <span>Circled number: retries</span>
        {tasks.length > MAX_ROWS ? (
          <span>
            First {MAX_ROWS} of {tasks.length} task runs
          </span>
        ) : null}
      </div>
    </div>
  );
}
