/** @jsxImportSource preact */
/**
 * Deployments: each with its schedules in words, its triggers (kind, what they match, last
 * fired), next run, last runs as coloured dots, paused, tags and version; pause/resume; a run from the trigger form. Selecting one shows its details
 * (next runs, versions with what changed) below the table, and `?selected=` keeps it in the URL.
 */
import { useState } from "preact/hooks";
import type {
  DeploymentDetail,
  DeploymentJson,
  RunJson,
  TriggerStateJson,
} from "../../../core/index.ts";
import { type ApiError, get, post, seg } from "../api.ts";
import { formatRelative, formatTime, shortId } from "../components/format.ts";
import { ErrorBox, Loading, PageTitle } from "../components/Layout.tsx";
import { href, navigate, type PageProps } from "../components/router.ts";
import { StateBadge, StateDot } from "../components/StateBadge.tsx";
import { TriggerForm } from "../components/TriggerForm.tsx";
import { triggerMatches, triggersByDeployment } from "../components/trigger-text.ts";
import { DEPLOYMENTS_PATH, TRIGGERS_PATH } from "../first-data.ts";
import { useLiveData } from "../live.ts";
import { DeploymentDetails } from "./deployment-details.tsx";

/** A deployment's latest runs (newest first, from the listing), oldest first as coloured dots. */
function LastRuns({ name, runs }: { name: string; runs: RunJson[] | undefined }) {
  if (!runs) return null;
  if (!runs.length) return <span class="muted">none yet</span>;
  return (
    <span class="last-runs" data-testid={`last-runs-${name}`}>
      {[...runs].reverse().map((run) => (
        <StateDot
          key={run.id}
          state={run.state}
          title={`${shortId(run.id)} ${run.state_name} ${formatTime(run.started_at ?? run.scheduled_at)}`}
          href={`/runs/${run.id}`}
        />
      ))}
    </span>
  );
}

/** A deployment's triggers: kind, what each matches, when it last fired. */
function Triggers({ name, triggers }: { name: string; triggers: TriggerStateJson[] | undefined }) {
  if (!triggers?.length) return <span class="muted">—</span>;
  return (
    <div data-testid={`triggers-${name}`}>
      {triggers.map((t) => (
        <div key={t.name} class={t.active ? "trigger" : "trigger muted"} title={t.name}>
          <span class="tag">{t.kind}</span> <span class="mono">{triggerMatches(t)}</span>{" "}
          <span class="muted" title={formatTime(t.last_fired)}>
            {t.last_fired ? `fired ${formatRelative(t.last_fired)}` : "never fired"}
          </span>
        </div>
      ))}
    </div>
  );
}

/** The run just triggered, followed live until it is dismissed. */
function StartedRun({ run, onClose }: { run: RunJson; onClose: () => void }) {
  const { data } = useLiveData(() => get<RunJson>(`/api/runs/${seg(run.id)}`), {
    prefixes: ["flow-run."],
    key: run.id,
    filter: (e) => e.resource === run.id,
  });
  const now = data ?? run;
  return (
    <div class="notice" role="status" data-testid="started-run">
      Run <a href={`/runs/${now.id}`}>{now.name ?? shortId(now.id)}</a> of {now.deployment}:{" "}
      <StateBadge state={now.state} name={now.state_name} />{" "}
      <button type="button" onClick={onClose}>
        OK
      </button>
    </div>
  );
}

function Row({
  d,
  triggers,
  selected,
  onRun,
  onChanged,
}: {
  d: DeploymentJson;
  triggers: TriggerStateJson[] | undefined;
  selected: boolean;
  onRun: () => void;
  onChanged: (error: ApiError | null) => void;
}) {
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    setBusy(true);
    try {
      await post(`/api/deployments/${seg(d.name)}/${d.paused ? "resume" : "pause"}`);
      onChanged(null);
    } catch (error) {
      onChanged(error as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr class={selected ? "selected" : ""} data-testid={`deployment-${d.name}`}>
      <td>
        <a href={href("/deployments", { selected: selected ? undefined : d.name })}>
          <strong>{d.name}</strong>
        </a>
        {d.source_invalid && (
          <span class="tag warn" title="Its definition file is invalid; its last good version runs">
            file invalid
          </span>
        )}
        {d.description && <div class="muted">{d.description}</div>}
      </td>
      <td>
        {d.schedules.length ? (
          d.schedules.map((s) => (
            <div key={JSON.stringify(s)} class={s.active ? "" : "muted"}>
              {s.description ?? s.cron ?? s.rrule}
              {s.active ? "" : " (inactive)"}
            </div>
          ))
        ) : (
          <span class="muted">—</span>
        )}
      </td>
      <td>
        <Triggers name={d.name} triggers={triggers} />
      </td>
      <td title={formatTime(d.next_run)}>{d.next_run ? formatRelative(d.next_run) : "—"}</td>
      <td>
        <LastRuns name={d.name} runs={d.last_runs} />{" "}
        <a
          class="muted"
          href={href(`/runs/chart/${encodeURIComponent(d.name)}`)}
          title={`${d.name}'s runs over time`}
          data-testid={`chart-${d.name}`}
        >
          chart
        </a>
      </td>
      <td>
        {d.tags.map((t) => (
          <span key={t} class="tag">
            {t}
          </span>
        ))}
      </td>
      <td>v{d.version}</td>
      <td>{d.paused ? <span class="badge state-paused">paused</span> : ""}</td>
      <td class="row-actions">
        <button type="button" class="primary" onClick={onRun}>
          Run…
        </button>
        <button type="button" onClick={toggle} disabled={busy}>
          {d.paused ? "Resume" : "Pause"}
        </button>
      </td>
    </tr>
  );
}

/** The Deployments page. */
export function DeploymentsPage({ query }: PageProps) {
  const selected = query.get("selected");
  // One request for every row, each with its latest runs (not one request a row).
  const list = useLiveData(() => get<DeploymentJson[]>(DEPLOYMENTS_PATH), {
    // A run that starts or ends moves a deployment's next run and its latest runs.
    prefixes: ["deployment.", "flow-run."],
    batchMs: 300,
    path: DEPLOYMENTS_PATH,
  });
  // Every deployment's triggers in one request; a firing starts a run or changes a deployment.
  const triggers = useLiveData(() => get<TriggerStateJson[]>(TRIGGERS_PATH), {
    prefixes: ["deployment.", "flow-run.", "trigger."],
    batchMs: 300,
    path: TRIGGERS_PATH,
  });
  const byDeployment = triggers.data ? triggersByDeployment(triggers.data) : null;
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [triggering, setTriggering] = useState<DeploymentDetail | null>(null);
  const [started, setStarted] = useState<RunJson | null>(null);

  const openForm = async (name: string) => {
    try {
      setTriggering(await get<DeploymentDetail>(`/api/deployments/${seg(name)}`));
    } catch (error) {
      setActionError(error as ApiError);
    }
  };

  return (
    <div>
      <PageTitle title="Deployments">
        {list.data && <span class="muted">{list.data.length} deployments</span>}
      </PageTitle>
      <ErrorBox error={list.error ?? actionError} />
      {started && <StartedRun run={started} onClose={() => setStarted(null)} />}
      {!list.data ? (
        <Loading />
      ) : list.data.length === 0 ? (
        <p class="muted">
          No deployments: add a definition under flows/ (orch init writes examples).
        </p>
      ) : (
        <table class="deployments">
          <thead>
            <tr>
              <th>Name</th>
              <th>Schedules</th>
              <th>Triggers</th>
              <th>Next run</th>
              <th>Last runs</th>
              <th>Tags</th>
              <th>Version</th>
              <th>Paused</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((d) => (
              <Row
                key={d.name}
                d={d}
                triggers={byDeployment?.get(d.name)}
                selected={d.name === selected}
                onRun={() => void openForm(d.name)}
                onChanged={(error) => {
                  setActionError(error);
                  list.reload();
                }}
              />
            ))}
          </tbody>
        </table>
      )}
      {selected && list.data && (
        <DeploymentDetails
          name={selected}
          onClose={() => navigate("/deployments", {}, true)}
          onRun={() => void openForm(selected)}
        />
      )}
      {triggering && (
        <div class="modal" role="dialog" aria-modal="true">
          <div class="modal-body">
            <TriggerForm
              deployment={triggering}
              onDone={(run) => {
                setTriggering(null);
                if (run) setStarted(run);
              }}
            />
          </div>
        </div>
      )}
    </div>
  );
}
