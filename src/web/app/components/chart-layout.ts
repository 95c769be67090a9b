/**
 * The numbers behind a deployment's chart: each finished or running run as a point (when it
 * started, how long it took), its outcomes counted per time bucket, and a summary. Pure.
 */
import type { RunJson } from "../../../core/index.ts";

/** A run on the duration chart, in pixels. */
export interface ChartPoint {
  id: string;
  x: number;
  y: number;
  ms: number;
  state: string;
  startedAt: string;
}

/** Outcomes of the runs that started within one time bucket. */
export interface OutcomeBucket {
  x: number;
  width: number;
  from: number;
  counts: Record<string, number>;
  total: number;
}

/** A round number at or above `n` (1, 2, 5 × a power of ten) for an axis's top. */
export function niceCeil(n: number): number {
  if (n <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  const f = n / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

const duration = (r: RunJson, now: number) =>
  r.started_at ? (r.ended_at ? Date.parse(r.ended_at) : now) - Date.parse(r.started_at) : null;

/**
 * The chart of `runs` over `width` × `height` pixels: points for runs that started (oldest left),
 * a duration axis from 0 to a round top, and `buckets` outcome columns over the same times.
 */
export function chartLayout(
  runs: readonly RunJson[],
  now: number,
  width: number,
  height: number,
  buckets = 24,
) {
  const started = runs.filter((r) => r.started_at);
  const times = started.map((r) => Date.parse(r.started_at!));
  const from = times.length ? Math.min(...times) : now - 3_600_000;
  // The axis ends where the last run ended (or now, while one runs).
  const to = Math.max(
    from + 1000,
    ...started.map((r) => (r.ended_at ? Date.parse(r.ended_at) : now)),
  );
  const durations = started.map((r) => duration(r, now) ?? 0);
  const top = niceCeil(Math.max(1, ...durations));
  const x = (t: number) => ((t - from) / (to - from)) * width;
  const points: ChartPoint[] = started.map((r, i) => ({
    id: r.id,
    x: x(times[i]!),
    y: height - (durations[i]! / top) * height,
    ms: durations[i]!,
    state: r.state,
    startedAt: r.started_at!,
  }));
  const size = (to - from) / buckets;
  const columns: OutcomeBucket[] = Array.from({ length: buckets }, (_, i) => ({
    x: (i / buckets) * width,
    width: width / buckets,
    from: from + i * size,
    counts: {},
    total: 0,
  }));
  for (const [i, r] of started.entries()) {
    const column = columns[Math.min(buckets - 1, Math.floor((times[i]! - from) / size))]!;
    column.counts[r.state] = (column.counts[r.state] ?? 0) + 1;
    column.total++;
  }
  return { points, buckets: columns, from, to, top };
}

/** The `q`-quantile (0..1) of sorted numbers. */
function quantile(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** How the runs went: how many finished, what share completed, median and p95 durations. */
export function chartSummary(runs: readonly RunJson[], now: number) {
  const finished = runs.filter((r) => r.ended_at && r.started_at);
  const completed = finished.filter((r) => r.state === "COMPLETED").length;
  const sorted = finished.map((r) => duration(r, now)!).sort((a, b) => a - b);
  return {
    finished: finished.length,
    completed,
    failed: finished.filter((r) => r.state === "FAILED" || r.state === "CRASHED").length,
    successRate: finished.length ? completed / finished.length : null,
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
  };
}
