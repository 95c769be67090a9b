/** @jsxImportSource preact */
/**
 * A deployment's chart: its recent runs' durations and outcomes over time, with a summary, kept
 * live. Reached from the runs page filtered by the deployment and from the deployments page.
 */
import type { RunJson } from "../../../core/index.ts";
import { getPage, seg } from "../api.ts";
import { chartSummary } from "../components/chart-layout.ts";
import { DurationChart } from "../components/DurationChart.tsx";
import { formatDuration } from "../components/format.ts";
import { ErrorBox, Loading, PageTitle } from "../components/Layout.tsx";
import { href, type PageProps } from "../components/router.ts";
import { useLiveData } from "../live.ts";

/** How many recent runs the chart shows, at most. */
const RECENT = 1000;

/** The chart page of deployment `params.deployment`. */
export function RunsChartPage({ params, query }: PageProps) {
  const name = params.deployment!;
  const limit = Math.min(RECENT, Math.max(10, Number(query.get("limit")) || 500));
  const runs = useLiveData(
    async () => (await getPage<RunJson[]>(`/api/runs?deployment=${seg(name)}&limit=${limit}`)).body,
    {
      prefixes: ["flow-run."],
      key: `${name}:${limit}`,
      batchMs: 1000,
      filter: (e) => (e.payload as { deployment?: unknown }).deployment === name,
    },
  );
  const now = Date.now();
  const list = runs.data ?? [];
  const summary = chartSummary(list, now);
  return (
    <div data-testid="chart-page">
      <PageTitle title={`${name} · runs over time`}>
        <a class="button" href={href("/runs", { deployment: name })}>
          Runs of {name}
        </a>
      </PageTitle>
      <ErrorBox error={runs.error} />
      {runs.data === undefined ? (
        <Loading />
      ) : (
        <section class="run-section">
          <div class="chart-summary" data-testid="chart-summary">
            <span>
              <b>{list.length}</b> latest runs
            </span>
            <span>
              <b>
                {summary.successRate === null ? "—" : `${Math.round(summary.successRate * 100)}%`}
              </b>
              completed ({summary.completed} of {summary.finished} finished)
            </span>
            <span>
              <b>{summary.failed}</b> failed or crashed
            </span>
            <span>
              <b>{summary.median === null ? "—" : formatDuration(summary.median)}</b> median
            </span>
            <span>
              <b>{summary.p95 === null ? "—" : formatDuration(summary.p95)}</b> 95th percentile
            </span>
          </div>
          {list.some((r) => r.started_at) ? (
            <DurationChart runs={list} now={now} />
          ) : (
            <p class="muted">No run of {name} has started yet.</p>
          )}
        </section>
      )}
    </div>
  );
}
