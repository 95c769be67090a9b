export { watchFinishedRuns } from "./finished-runs.ts";
export {
  type OtlpExporter,
  type OtlpOptions,
  runSpans,
  startOtlpExporter,
} from "./otlp-exporter.ts";
export {
  type HistogramSeries,
  type MetricFamily,
  PROMETHEUS_CONTENT_TYPE,
  renderPrometheusText,
  type Sample,
} from "./prometheus-text.ts";
export { createRunMetrics, DURATION_BUCKETS, type RunMetrics } from "./run-metrics.ts";
