import { type Store, storeMetrics } from "../store/index.ts";
import { watchFinishedRuns } from "./finished-runs.ts";
import {
  type HistogramSeries,
  type MetricFamily,
  renderPrometheusText,
} from "./prometheus-text.ts";

/** Run-duration buckets in seconds: a quick command up to a long nightly job. */
export const DURATION_BUCKETS = [
  0.1, 0.5, 1, 5, 10, 30, 60, 300, 600, 1800, 3600, 7200, 21600,
] as const;

interface Series {
  deployment: string;
  state: string;
  counts: number[];
  sum: number;
  count: number;
}

/** The server's metrics: the store's counts at each scrape, and what it saw runs do since it started. */
export interface RunMetrics {
  /** The whole exposition, in Prometheus text format. */
  render(): string;
  stop(): void;
}

/**
 * Start collecting: durations of the runs that finish from now on (a histogram by deployment
 * and final state, kept in memory as Prometheus expects of a process's counters), and, at each
 * scrape, the store's counts (runs by state, queue depth, late runs, workers, log lines, size).
 */
export function createRunMetrics(store: Store): RunMetrics {
  const series = new Map<string, Series>();
  const unsubscribe = watchFinishedRuns(store, (run) => {
    // A run cancelled before it started has no duration to tell.
    if (run.started_at === null || run.ended_at === null) return;
    const deployment = run.deployment ?? "";
    const key = `${deployment}\u0000${run.state_type}`;
    let s = series.get(key);
    if (!s) {
      s = {
        deployment,
        state: run.state_type,
        counts: DURATION_BUCKETS.map(() => 0),
        sum: 0,
        count: 0,
      };
      series.set(key, s);
    }
    const seconds = Math.max(0, run.ended_at - run.started_at) / 1000;
    DURATION_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) s.counts[i]!++;
    });
    s.sum += seconds;
    s.count++;
  });
  return {
    render: () => renderPrometheusText(families(store, [...series.values()])),
    stop: unsubscribe,
  };
}

function families(store: Store, durations: Series[]): MetricFamily[] {
  const m = storeMetrics(store, store.clock.now());
  const histogram: HistogramSeries[] = durations.map((s) => ({
    labels: { deployment: s.deployment, state: s.state },
    bounds: DURATION_BUCKETS,
    counts: s.counts,
    sum: s.sum,
    count: s.count,
  }));
  return [
    {
      name: "orch_flow_runs",
      help: "Flow runs in the store, by deployment (empty for ad-hoc runs) and state.",
      type: "gauge",
      samples: m.runs.map((r) => ({
        labels: { deployment: r.deployment, state: r.state },
        value: r.count,
      })),
    },
    {
      name: "orch_flow_run_duration_seconds",
      help: "How long flow runs that ended since the server started ran, by deployment and final state.",
      type: "histogram",
      series: histogram,
    },
    {
      name: "orch_queue_depth",
      help: "Runs due now that no worker has taken yet, by work pool and queue.",
      type: "gauge",
      samples: m.queued.map((q) => ({ labels: { pool: q.pool, queue: q.queue }, value: q.count })),
    },
    {
      name: "orch_late_runs",
      help: "Runs past their scheduled time that have not started (state Late).",
      type: "gauge",
      samples: [{ value: m.late }],
    },
    {
      name: "orch_workers",
      help: "Registered workers, by work pool and status.",
      type: "gauge",
      samples: m.workers.map((w) => ({
        labels: { pool: w.pool, status: w.status },
        value: w.count,
      })),
    },
    {
      name: "orch_log_lines",
      help: "Log lines in the store.",
      type: "gauge",
      samples: [{ value: m.logLines }],
    },
    {
      name: "orch_store_size_bytes",
      help: "Size of the store's database file (pages in use and free).",
      type: "gauge",
      samples: [{ value: m.sizeBytes }],
    },
    {
      name: "orch_store_free_bytes",
      help: "Free pages in the store's database file, which an incremental vacuum gives back.",
      type: "gauge",
      samples: [{ value: m.freeBytes }],
    },
  ];
}
