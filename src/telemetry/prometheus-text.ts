/** One sample of a metric family: its labels and value. */
export interface Sample {
  labels?: Record<string, string>;
  value: number;
}

/** A histogram's series: cumulative bucket counts by upper bound, the sum and the count. */
export interface HistogramSeries {
  labels?: Record<string, string>;
  /** Upper bounds, ascending, without +Inf. */
  bounds: readonly number[];
  /** counts[i]: observations <= bounds[i] (cumulative). */
  counts: readonly number[];
  sum: number;
  count: number;
}

/** A metric family in Prometheus's text exposition format (version 0.0.4). */
export type MetricFamily =
  | { name: string; help: string; type: "gauge" | "counter"; samples: Sample[] }
  | { name: string; help: string; type: "histogram"; series: HistogramSeries[] };

/** The Content-Type of the text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const escapeLabel = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function labelText(labels: Record<string, string> | undefined, extra?: [string, string]): string {
  const pairs = Object.entries(labels ?? {});
  if (extra) pairs.push(extra);
  if (!pairs.length) return "";
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

function number(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

/** Render metric families as Prometheus text: HELP and TYPE lines, then the samples. */
export function renderPrometheusText(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    if (family.type !== "histogram") {
      for (const s of family.samples)
        lines.push(`${family.name}${labelText(s.labels)} ${number(s.value)}`);
      continue;
    }
    for (const s of family.series) {
      s.bounds.forEach((bound, i) => {
        lines.push(
          `${family.name}_bucket${labelText(s.labels, ["le", number(bound)])} ${s.counts[i] ?? 0}`,
        );
      });
      lines.push(`${family.name}_bucket${labelText(s.labels, ["le", "+Inf"])} ${s.count}`);
      lines.push(`${family.name}_sum${labelText(s.labels)} ${number(s.sum)}`);
      lines.push(`${family.name}_count${labelText(s.labels)} ${s.count}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
