/** @jsxImportSource preact */
/**
 * A deployment's runs over time (hand-drawn SVG): each run a dot at its start, as high as it took
 * long, coloured by how it ended (a click opens it); below, each time bucket's outcomes stacked.
 */
import type { RunJson } from "../../../core/index.ts";
import { STATE_TYPES } from "../../../core/states.ts";
import { chartLayout } from "./chart-layout.ts";
import { formatDuration, formatTime, shortId } from "./format.ts";
import { useWidth } from "./useWidth.ts";

const LEFT = 64;
/** Room above the plot for its top label. */
const TOP = 10;
const PLOT = 220;
const GAP = 34;
const BARS = 70;

/** The chart of `runs` (one deployment's). */
export function DurationChart({ runs, now }: { runs: readonly RunJson[]; now: number }) {
  const { ref, width } = useWidth<HTMLDivElement>(900);
  const plotWidth = Math.max(200, width - LEFT - 16);
  const { points, buckets, from, to, top } = chartLayout(runs, now, plotWidth, PLOT);
  const most = Math.max(1, ...buckets.map((b) => b.total));
  const height = TOP + PLOT + GAP + BARS + 24;
  const yTicks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div ref={ref} data-testid="duration-chart" data-points={points.length}>
      <svg
        class="chart"
        width={width}
        height={height}
        role="img"
        aria-label="Run durations over time"
      >
        <g transform={`translate(0 ${TOP})`}>
          {yTicks.map((f) => (
            <g key={f}>
              <line
                class="grid"
                x1={LEFT}
                x2={LEFT + plotWidth}
                y1={PLOT - f * PLOT}
                y2={PLOT - f * PLOT}
              />
              <text x={LEFT - 6} y={PLOT - f * PLOT + 4} text-anchor="end">
                {formatDuration(f * top)}
              </text>
            </g>
          ))}
          <text x={LEFT} y={PLOT + 16}>
            {formatTime(new Date(from).toISOString())}
          </text>
          <text x={LEFT + plotWidth} y={PLOT + 16} text-anchor="end">
            {formatTime(new Date(to).toISOString())}
          </text>
          {points.map((p) => (
            <a key={p.id} href={`/runs/${p.id}`} class={`fg-${p.state.toLowerCase()}`}>
              <circle class="point" cx={LEFT + p.x} cy={p.y} r={4} data-testid="chart-point">
                <title>{`${shortId(p.id)} · ${p.state} · ${formatDuration(p.ms)} · ${formatTime(p.startedAt)}`}</title>
              </circle>
            </a>
          ))}
          <text x={LEFT - 6} y={PLOT + GAP + 10} text-anchor="end">
            {most}
          </text>
          <text x={LEFT - 6} y={PLOT + GAP + BARS} text-anchor="end">
            runs
          </text>
          {buckets.map((b) => {
            let y = PLOT + GAP + BARS;
            return (
              <g key={b.from}>
                {STATE_TYPES.filter((s) => b.counts[s]).map((s) => {
                  const h = (b.counts[s]! / most) * BARS;
                  y -= h;
                  return (
                    <rect
                      key={s}
                      class={`outcome fg-${s.toLowerCase()}`}
                      x={LEFT + b.x + 1}
                      y={y}
                      width={Math.max(1, b.width - 2)}
                      height={h}
                    >
                      <title>{`${formatTime(new Date(b.from).toISOString())}: ${b.counts[s]} ${s.toLowerCase()}`}</title>
                    </rect>
                  );
                })}
              </g>
            );
          })}
        </g>
      </svg>
    </div>
  );
}
