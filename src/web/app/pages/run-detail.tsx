/** @jsxImportSource preact */
/**
 * A run's page: what it is and how it went (state timeline, parameters, result), its task runs
 * on a time axis, its subflows, its artifacts and its logs, live; cancel, retry and resume.
 */
import { Fragment } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { RunDetail } from "../../../core/index.ts";
import { type RunTime, runTimes } from "../../../core/run-times.ts";
import { TERMINAL_TYPES } from "../../../core/states.ts";
import { ApiError, get, getNow, seg } from "../api.ts";
import { Artifacts } from "../components/Artifacts.tsx";
import { formatCount, formatDuration, formatTime, shortId } from "../components/format.ts";
import { Gantt } from "../components/Gantt.tsx";
import { ErrorBox, Loading, PageTitle } from "../components/Layout.tsx";
import { LogView } from "../components/LogView.tsx";
import { RunActions } from "../components/RunActions.tsx";
import { href, type PageProps } from "../components/router.ts";
import { StateBadge } from "../components/StateBadge.tsx";
import { StateTimeline } from "../components/StateTimeline.tsx";
import { SubflowTree } from "../components/SubflowTree.tsx";
import { useNow } from "../components/use-now.ts";
import { runPath } from "../first-data.ts";
import { isLive, subscribe } from "../live.ts";

/** Run `id`, read again whenever an event names it (or one of its subflows). */
function useRun(id: string) {
  // The boot script's answer, when it is in already: the first frame shows the run.
  const first = useRef<RunDetail | null | undefined>(undefined);
  if (first.current === undefined) first.current = getNow<RunDetail>(runPath(id))?.body ?? null;
  const [run, setRun] = useState<RunDetail | null>(() => first.current ?? null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = useRef(() => {});
  // A layout effect: the run is asked for as the page is first drawn, not a frame later.
  useLayoutEffect(() => {
    let alive = true;
    let seq = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let related = new Set<string>([id]);
    const early = first.current;
    first.current = null;
    // Another run's page: nothing of the last one shows while this one loads.
    if (!early) setRun(null);
    const now = () => {
      const mine = ++seq;
      get<RunDetail>(runPath(id)).then(
        (detail) => {
          if (!alive || mine !== seq) return;
          related = new Set([detail.id, ...(detail.children ?? []).map((c) => c.id)]);
          setRun(detail);
          setError(null);
        },
        (e: unknown) => {
          if (!alive || mine !== seq) return;
          const failed = e instanceof ApiError ? e : new ApiError(0, "E_INTERNAL", String(e));
          // Gone from the store (pruned, or a planned run taken back): nothing of it stays shown.
          if (failed.status === 404) setRun(null);
          setError(failed);
        },
      );
    };
    load.current = now;
    // Asked at once (unless the first frame had the boot script's answer), and again when the
    // stream opens: whatever changed between that answer and the stream's first event is then
    // read, not missed.
    if (!early && !isLive()) now();
    const unsubscribe = subscribe({
      prefixes: ["flow-run.", "task-run."],
      onEvent: (e) => {
        // A new subflow names its parent in nothing but its own run: any run's creation looks.
        if (!e.resource || !(related.has(e.resource) || e.name === "flow-run.scheduled")) return;
        timer ??= setTimeout(() => {
          timer = undefined;
          now();
        }, 100);
      },
      onReload: now,
    });
    return () => {
      alive = false;
      clearTimeout(timer);
      unsubscribe();
    };
  }, [id]);
  return { run, error, reload: () => load.current() };
}

function Section({
  title,
  children,
  testId,
}: {
  title: string;
  children: preact.ComponentChildren;
  testId?: string;
}) {
  return (
    <section class="run-section" data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** The run page's words for a run's times. */
const TIME_LABELS: Record<RunTime["label"], string> = {
  for: "For",
  scheduled: "Scheduled",
  started: "Started",
};

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** The page of run `params.id`. */
export function RunDetailPage({ params }: PageProps) {
  const id = params.id!;
  const { run, error, reload } = useRun(id);
  const finished = run ? TERMINAL_TYPES.includes(run.state) : true;
  const now = useNow(!finished);
  if (!run && error?.status === 404) {
    return (
      <div class="error" role="alert" data-testid="run-gone">
        Run {shortId(id)} is not in orch's store: it was deleted (by orch runs prune, by retention,
        or, planned, by a schedule that no longer plans it), or never was.{" "}
        <a href="/runs">All runs</a>
      </div>
    );
  }
  if (!run && error) return <ErrorBox error={error} />;
  // While the run loads, its logs already do: the logs section is drawn at once, and keeps its
  // place (by key) when the rest of the page arrives.
  if (!run) {
    return (
      <div class="run-page">
        <PageTitle title={`Run ${shortId(id)}`}>
          <Loading />
        </PageTitle>
        <ErrorBox error={null} />
        <div class="run-grid">
          <div>
            <Section key="logs" title="Logs" testId="run-logs">
              <LogView runId={id} />
            </Section>
          </div>
          <div />
        </div>
      </div>
    );
  }
  const took =
    run.started_at &&
    formatDuration((run.ended_at ? Date.parse(run.ended_at) : now) - Date.parse(run.started_at));
  const title = run.name ?? run.flow_name ?? run.deployment ?? "ad-hoc run";
  return (
    <div class="run-page" data-testid="run-page" data-run={run.id} data-state={run.state}>
      <PageTitle title={`${title} · ${shortId(run.id)}`}>
        <StateBadge state={run.state} name={run.state_name} />
        <RunActions run={run} changed={reload} />
      </PageTitle>
      <ErrorBox error={error} />
      <div class="run-grid">
        <div>
          <Section key="states" title="States" testId="run-states">
            <StateTimeline states={run.states} ended={finished} now={now} />
          </Section>
          {run.tasks.length ? (
            <Section key="tasks" title={`Task runs (${run.tasks.length})`} testId="run-tasks">
              <Gantt tasks={run.tasks} run={run} now={now} />
            </Section>
          ) : null}
          <Section key="logs" title="Logs" testId="run-logs">
            <LogView runId={id} waiting={run.state === "SCHEDULED" || run.state === "PAUSED"} />
          </Section>
          {run.artifacts.length ? (
            <Section key="artifacts" title="Artifacts" testId="run-artifacts">
              <Artifacts runId={run.id} version={`${run.artifacts.length}:${run.state}`} />
            </Section>
          ) : null}
        </div>
        <div>
          <Section title="Run" testId="run-facts">
            <dl class="facts">
              <dt>Id</dt>
              <dd class="mono">{run.id}</dd>
              <dt>Deployment</dt>
              <dd>
                {run.deployment ? (
                  <>
                    <a href={href("/runs", { deployment: run.deployment })}>{run.deployment}</a>
                    {" · "}
                    <a href={href(`/runs/chart/${encodeURIComponent(run.deployment)}`)}>chart</a>
                  </>
                ) : (
                  "ad hoc"
                )}
                {run.version ? <span class="muted"> v{run.version}</span> : null}
              </dd>
              {run.parent_id ? (
                <>
                  <dt>Called by</dt>
                  <dd>
                    <a href={href(`/runs/${run.parent_id}`)} class="mono">
                      {shortId(run.parent_id)}
                    </a>
                  </dd>
                </>
              ) : null}
              <dt>Attempt</dt>
              <dd>{run.attempt}</dd>
              {runTimes(run).map((t) => (
                <Fragment key={t.label}>
                  <dt>{TIME_LABELS[t.label]}</dt>
                  <dd data-testid={`run-${t.label}`}>
                    {formatTime(t.at) || "—"}
                    {t.note ? <span class="muted"> ({t.note})</span> : null}
                  </dd>
                </Fragment>
              ))}
              <dt>Ended</dt>
              <dd>{formatTime(run.ended_at) || "—"}</dd>
              <dt>Duration</dt>
              <dd data-testid="run-duration">{took || "—"}</dd>
              {run.exit_code !== null || run.signal ? (
                <>
                  <dt>Exit</dt>
                  <dd>{run.signal ? `signal ${run.signal}` : `code ${run.exit_code}`}</dd>
                </>
              ) : null}
              <dt>Worker</dt>
              <dd class="mono" data-testid="run-worker" title={run.worker ?? undefined}>
                {run.worker_name ?? run.worker ?? "—"}
              </dd>
              <dt>Pool</dt>
              <dd>
                {run.work_pool} / {run.work_queue}
              </dd>
              <dt>Started by</dt>
              <dd>{run.created_by}</dd>
              {run.tags.length ? (
                <>
                  <dt>Tags</dt>
                  <dd>
                    {run.tags.map((t) => (
                      <a key={t} class="tag" href={href("/runs", { tag: t })}>
                        {t}
                      </a>
                    ))}
                  </dd>
                </>
              ) : null}
            </dl>
            {run.state_message ? <p data-testid="run-message">{run.state_message}</p> : null}
          </Section>
          <Section title="Parameters" testId="run-parameters">
            <pre class="json">{json(run.parameters)}</pre>
          </Section>
          <Section title="Result" testId="run-result">
            {run.result === null ? (
              <p class="muted">{finished ? "No result." : "None yet."}</p>
            ) : run.result.problem ? (
              <p class="muted">{run.result.problem}</p>
            ) : "value" in run.result ? (
              <pre class="json">{json(run.result.value)}</pre>
            ) : (
              <p>
                {formatCount(run.result.size)} bytes:{" "}
                <a href={`/api/runs/${seg(run.id)}/result`} target="_blank" rel="noopener">
                  open
                </a>
              </p>
            )}
          </Section>
          {run.children?.length ? (
            <Section title={`Subflows (${run.children.length})`} testId="run-subflows">
              <SubflowTree runs={run.children} now={now} />
            </Section>
          ) : null}
        </div>
      </div>
    </div>
  );
}
