/** @jsxImportSource preact */
import { triggerOn } from "../../../core/deployment.ts";
import type { DeploymentDetail } from "../../../core/index.ts";
import { get, seg } from "../api.ts";
import { formatDuration, formatRelative, formatTime } from "../components/format.ts";
import { ErrorBox, Loading } from "../components/Layout.tsx";
import { useLiveData } from "../live.ts";

/** One deployment's details: what it runs, its next runs, its versions with what changed. */
export function DeploymentDetails({
  name,
  onClose,
  onRun,
}: {
  name: string;
  onClose: () => void;
  onRun: () => void;
}) {
  const { data: d, error } = useLiveData(
    () => get<DeploymentDetail>(`/api/deployments/${seg(name)}`),
    {
      prefixes: ["deployment.", "flow-run."],
      key: name,
      batchMs: 300,
      filter: (e) =>
        e.resource === name || (e.payload as { deployment?: string } | null)?.deployment === name,
    },
  );
  if (error) return <ErrorBox error={error} />;
  if (!d) return <Loading />;
  const what = d.flow ?? (d.command ? d.command.join(" ") : "");
  return (
    <section class="panel details" data-testid="deployment-details">
      <div class="page-title">
        <h2>{d.name}</h2>
        <div class="actions">
          {/* A removed deployment makes no runs: its definition is gone, its runs stay. */}
          {d.removed ? (
            <span class="muted" data-testid="deployment-removed">
              removed: its runs stay in the history
            </span>
          ) : (
            <button type="button" class="primary" onClick={onRun}>
              Run…
            </button>
          )}
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      <div class="columns">
        <dl>
          <dt>Runs</dt>
          <dd class="mono">{what}</dd>
          <dt>Defined in</dt>
          <dd class="mono">{d.source ?? "—"}</dd>
          <dt>Parameters</dt>
          <dd>
            <pre>{JSON.stringify(d.parameters, null, 2)}</pre>
          </dd>
          <dt>Work pool</dt>
          <dd>
            {d.work_pool} / {d.work_queue}
          </dd>
          <dt>Retries</dt>
          <dd>
            {!d.retries
              ? "none"
              : d.retry_delays_ms
                ? `${d.retries}, waiting ${d.retry_delays_ms.map(formatDuration).join(", ")} (the last repeats)`
                : `${d.retries}, ${formatDuration(d.retry_delay_ms)} apart`}
          </dd>
          <dt>Timeout</dt>
          <dd>{d.timeout_ms ? formatDuration(d.timeout_ms) : "none"}</dd>
          <dt>Concurrency</dt>
          <dd>
            {d.concurrency ? `${d.concurrency.limit} (${d.concurrency.collision})` : "no limit"}
          </dd>
          <dt>Triggers</dt>
          <dd>
            {d.triggers.length
              ? d.triggers.map((t) => (
                  <div key={JSON.stringify(t)} class="mono">
                    on {triggerOn(t)}
                    {Object.keys(t.match).length ? ` ${JSON.stringify(t.match)}` : ""}
                  </div>
                ))
              : "none"}
          </dd>
        </dl>
        <div>
          <h3>Next runs</h3>
          {d.next_runs.length ? (
            <ol class="next-runs">
              {d.next_runs.map((t) => (
                <li key={t}>
                  {formatTime(t)} <span class="muted">({formatRelative(t)})</span>
                </li>
              ))}
            </ol>
          ) : (
            <p class="muted">{d.paused ? "Paused: none planned." : "No schedule plans a run."}</p>
          )}
          <h3>Versions</h3>
          <table class="versions">
            <thead>
              <tr>
                <th>Version</th>
                <th>Created</th>
                <th>What changed</th>
              </tr>
            </thead>
            <tbody>
              {d.versions.map((v) => (
                <tr key={v.version}>
                  <td>
                    v{v.version}
                    {v.active && <span class="tag">active</span>}
                  </td>
                  <td title={formatTime(v.created_at)}>{formatRelative(v.created_at)}</td>
                  <td class="mono">
                    {v.changed?.length
                      ? v.changed.join(", ")
                      : v.version === 1
                        ? "first version"
                        : "the definition"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {d.rolled_back && (
            <p class="muted">Rolled back: an older version runs until its files change.</p>
          )}
        </div>
      </div>
    </section>
  );
}
