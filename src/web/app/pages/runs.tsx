/** @jsxImportSource preact */
/**
 * The Runs page: every run, newest first, filtered by deployment, state, tag, time and text (the
 * filters live in the URL, so a link shows the same runs), with a count per state, following the
 * server live, in a windowed list that stays smooth at 10,000 runs.
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import type { DeploymentJson } from "../../../core/index.ts";
import { STATE_TYPES } from "../../../core/states.ts";
import { get } from "../api.ts";
import { formatCount, formatDuration, formatTime, shortId } from "../components/format.ts";
import { ErrorBox, PageTitle } from "../components/Layout.tsx";
import { href, navigate, type PageProps } from "../components/router.ts";
import {
  filtersFromQuery,
  filtersToQuery,
  RANGES,
  type RunFilters,
} from "../components/run-filters.ts";
import { rowCount } from "../components/runs-window.ts";
import { StateBadge, stateClass } from "../components/StateBadge.tsx";
import { useNow } from "../components/use-now.ts";
import { useRunsWindow } from "../components/useRunsWindow.ts";
import { VirtualList } from "../components/VirtualList.tsx";
import { useLiveData } from "../live.ts";

const ROW_HEIGHT = 36;

/** Go to the runs page with `filters` (the history keeps one entry per page, not per key). */
function setFilters(filters: RunFilters): void {
  navigate("/runs", filtersToQuery(filters), true);
}

/** How long a run took, or has been running. */
function runDuration(run: { started_at: string | null; ended_at: string | null }, now: number) {
  if (!run.started_at) return "";
  const end = run.ended_at ? Date.parse(run.ended_at) : now;
  return formatDuration(end - Date.parse(run.started_at));
}

/** The filter bar: each change rewrites the URL. */
function Filters({
  filters,
  deployments,
  loaded,
}: {
  filters: RunFilters;
  deployments: string[];
  /** The deployments are in: one filtered on and not among them was removed. */
  loaded: boolean;
}) {
  const [text, setText] = useState(filters.q ?? "");
  useEffect(() => setText(filters.q ?? ""), [filters.q]);
  // Typing filters after a pause, not at every key.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only typing starts the pause
  useEffect(() => {
    if (text === (filters.q ?? "")) return;
    const timer = setTimeout(() => setFilters({ ...filters, q: text || undefined }), 250);
    return () => clearTimeout(timer);
  }, [text]);
  const put = (key: keyof RunFilters) => (e: Event) => {
    const value = (e.currentTarget as HTMLInputElement).value || undefined;
    setFilters({ ...filters, [key]: value });
  };
  const custom = !filters.range && (filters.since || filters.until);
  return (
    <div class="filters runs-filters">
      <input
        type="search"
        placeholder="Search id, name, deployment, message"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        data-testid="runs-search"
      />
      <select
        value={filters.deployment ?? ""}
        onChange={put("deployment")}
        data-testid="runs-deployment"
      >
        <option value="">All deployments</option>
        {deployments.map((d) => (
          <option key={d} value={d}>
            {d}
          </option>
        ))}
        {/* A filter on a deployment no longer listed (removed: its runs stay) shows as such. */}
        {loaded && filters.deployment && !deployments.includes(filters.deployment) ? (
          <option value={filters.deployment}>{filters.deployment} (removed)</option>
        ) : null}
      </select>
      <select value={filters.state ?? ""} onChange={put("state")} data-testid="runs-state">
        <option value="">Any state</option>
        {STATE_TYPES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <input
        placeholder="Tag"
        value={filters.tag ?? ""}
        onChange={put("tag")}
        class="runs-tag"
        data-testid="runs-tag"
      />
      <select
        value={filters.range ?? (custom ? "custom" : "")}
        onChange={(e) => {
          const value = e.currentTarget.value;
          const { range: _, since: _s, until: _u, ...rest } = filters;
          if (value === "custom") {
            setFilters({ ...rest, since: new Date(Date.now() - 86_400_000).toISOString() });
          } else setFilters({ ...rest, range: (value || undefined) as RunFilters["range"] });
        }}
        data-testid="runs-range"
      >
        <option value="">Any time</option>
        {Object.keys(RANGES).map((r) => (
          <option key={r} value={r}>
            Last {r}
          </option>
        ))}
        <option value="custom">From … to …</option>
      </select>
      {custom ? <TimeInputs filters={filters} /> : null}
    </div>
  );
}

/** A time as a datetime-local input shows it (local time). */
const localInput = (iso?: string) => {
  if (!iso) return "";
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

function TimeInputs({ filters }: { filters: RunFilters }) {
  const put = (key: "since" | "until") => (e: Event) => {
    const value = (e.currentTarget as HTMLInputElement).value;
    setFilters({ ...filters, [key]: value ? new Date(value).toISOString() : undefined });
  };
  return (
    <span class="runs-times">
      <input type="datetime-local" value={localInput(filters.since)} onChange={put("since")} />
      <span class="muted">to</span>
      <input type="datetime-local" value={localInput(filters.until)} onChange={put("until")} />
    </span>
  );
}

/** The count per state; a click filters by it (again: shows all). */
function StateCounts({
  filters,
  counts,
}: {
  filters: RunFilters;
  counts: { total: number; states: Partial<Record<string, number>> } | null;
}) {
  if (!counts) return <div class="state-counts muted">Counting…</div>;
  const states = STATE_TYPES.filter((s) => counts.states[s]);
  return (
    <div class="state-counts" data-testid="state-counts">
      <a
        class={`count-chip ${filters.state ? "" : "active"}`}
        href={href("/runs", filtersToQuery({ ...filters, state: undefined }))}
      >
        All <b data-testid="count-all">{formatCount(counts.total)}</b>
      </a>
      {states.map((s) => (
        <a
          key={s}
          class={`count-chip ${filters.state === s ? "active" : ""}`}
          href={href(
            "/runs",
            filtersToQuery({ ...filters, state: filters.state === s ? undefined : s }),
          )}
          data-testid={`count-${s}`}
        >
          <span class={`dot ${stateClass(s)}`} />
          {s.toLowerCase()} <b>{formatCount(counts.states[s]!)}</b>
        </a>
      ))}
    </div>
  );
}

/** Every run, filtered, live. */
export function RunsPage({ query }: PageProps) {
  const filters = filtersFromQuery(query);
  const key = JSON.stringify(filters);
  const { window, counts, error, need } = useRunsWindow(filters, key);
  const deployments = useLiveData(() => get<DeploymentJson[]>("/api/deployments"), {
    prefixes: ["deployment."],
  });
  const names = (deployments.data ?? []).map((d) => d.name).sort();
  const onRange = useCallback((_first: number, last: number) => need(last), [need]);
  // A running run's duration grows: the list is drawn again every second while one is listed.
  const now = useNow(window.rows.some((r) => r.state === "RUNNING" || r.state === "CANCELLING"));
  const count = rowCount(window);
  const renderRow = (i: number) => {
    const run = window.rows[i];
    if (!run) return <div class="run-row loading muted">Loading…</div>;
    return (
      <a class="run-row" href={href(`/runs/${run.id}`)} data-testid="run-row" data-run={run.id}>
        <StateBadge state={run.state} name={run.state_name} class="c-state" />
        <span class="c-name" title={run.id}>
          {/* A backfill's run unnamed says the slot it processes, as runs ls's FOR column does. */}
          {run.name ?? run.flow_name ?? (run.backfill_id ? `for ${formatTime(run.slot_at)}` : "")}
          <span class="muted"> {shortId(run.id)}</span>
        </span>
        <span class="c-deployment">
          {run.deployment ??
            (run.parent_id ? (
              <span class="muted">subflow of {shortId(run.parent_id)}</span>
            ) : (
              <span class="muted">ad hoc</span>
            ))}
        </span>
        {/* When it is due (as runs ls's DUE); a run that ended unstarted is listed where it
            ended (core's runListedAt). The run's page has its start. */}
        <span class="c-time">{formatTime(run.scheduled_at)}</span>
        <span class="c-duration">{runDuration(run, now)}</span>
        <span class="c-tags">
          {run.tags.map((t) => (
            <span key={t} class="tag">
              {t}
            </span>
          ))}
        </span>
      </a>
    );
  };
  return (
    <div class="runs-page">
      <PageTitle title="Runs">
        {filters.deployment ? (
          <a
            class="button"
            href={href(`/runs/chart/${encodeURIComponent(filters.deployment)}`)}
            data-testid="chart-link"
          >
            Chart of {filters.deployment}
          </a>
        ) : null}
      </PageTitle>
      <Filters filters={filters} deployments={names} loaded={deployments.data !== undefined} />
      <StateCounts filters={filters} counts={counts} />
      <ErrorBox error={error} />
      <div class="run-row run-head">
        <span class="c-state">State</span>
        <span class="c-name">Run</span>
        <span class="c-deployment">Deployment</span>
        <span class="c-time">Due</span>
        <span class="c-duration">Duration</span>
        <span class="c-tags">Tags</span>
      </div>
      {window.next === null && !window.rows.length ? (
        <p class="muted" data-testid="runs-empty">
          No runs match.
        </p>
      ) : (
        <VirtualList
          count={count}
          rowHeight={ROW_HEIGHT}
          renderRow={renderRow}
          onRange={onRange}
          class="runs-list"
          testId="runs-list"
        />
      )}
    </div>
  );
}
