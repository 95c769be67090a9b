/** @jsxImportSource preact */
/** Workers (online and recently offline) and the work pools they serve, live. */
import type { WorkerJson, WorkPoolJson } from "../../../core/index.ts";
import { get } from "../api.ts";
import { formatRelative, formatTime } from "../components/format.ts";
import { ErrorBox, Loading, PageTitle } from "../components/Layout.tsx";
import type { PageProps } from "../components/router.ts";
import { useLiveData } from "../live.ts";

/** The Workers page: workers, then pools. */
export function WorkersPage(_props: PageProps) {
  const workers = useLiveData(() => get<WorkerJson[]>("/api/workers"), {
    prefixes: ["worker."],
  });
  // A pool's waiting and running counts move with its runs.
  const pools = useLiveData(() => get<WorkPoolJson[]>("/api/pools"), {
    prefixes: ["worker.", "flow-run.", "deployment."],
    batchMs: 300,
  });
  return (
    <div>
      <PageTitle title="Workers" />
      <ErrorBox error={workers.error} />
      {!workers.data ? (
        <Loading />
      ) : workers.data.length === 0 ? (
        <p class="muted">No workers: orch up runs one; orch worker --pool NAME adds more.</p>
      ) : (
        <table class="workers">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Pool</th>
              <th>Host</th>
              <th>PID</th>
              <th>Concurrency</th>
              <th>Started</th>
              <th>Last heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {workers.data.map((w) => (
              <tr key={w.id} data-testid="worker-row">
                <td>{w.name}</td>
                <td>
                  <span
                    class={`badge ${w.status === "online" ? "state-completed" : "state-cancelled"}`}
                  >
                    {w.status}
                  </span>
                </td>
                <td>{w.pool}</td>
                <td>{w.host}</td>
                <td>{w.pid ?? ""}</td>
                <td>{w.concurrency}</td>
                <td title={formatTime(w.started_at)}>{formatRelative(w.started_at)}</td>
                <td title={formatTime(w.last_heartbeat)}>{formatRelative(w.last_heartbeat)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 class="section">Work pools</h2>
      <ErrorBox error={pools.error} />
      {!pools.data ? (
        <Loading />
      ) : (
        <table class="pools">
          <thead>
            <tr>
              <th>Pool</th>
              <th>Type</th>
              <th>Workers</th>
              <th>Waiting</th>
              <th>Running</th>
              <th>Concurrency</th>
              <th>Paused</th>
              <th>Job template</th>
            </tr>
          </thead>
          <tbody>
            {pools.data.map((p) => (
              <tr key={p.name} data-testid="pool-row">
                <td>
                  {p.name}
                  {!p.defined && <span class="tag">automatic</span>}
                </td>
                <td>{p.type}</td>
                <td>{p.workers}</td>
                <td>{p.runs_waiting}</td>
                <td>{p.runs_running}</td>
                <td>{p.concurrency ?? "no limit"}</td>
                <td>{p.paused ? <span class="badge state-paused">paused</span> : ""}</td>
                <td class="mono">{p.job ? JSON.stringify(p.job) : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
