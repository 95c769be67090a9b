/** @jsxImportSource preact */
/**
 * Events, newest first, live: filtered by kind (a name prefix, asked of the server) and by any
 * text in the name, resource or payload. The filters live in the URL, so a view can be shared.
 */
import { useState } from "preact/hooks";
import type { EventJson } from "../../../core/index.ts";
import { get } from "../api.ts";
import { formatTime } from "../components/format.ts";
import { ErrorBox, Loading, PageTitle } from "../components/Layout.tsx";
import { navigate, type PageProps } from "../components/router.ts";
import { useLiveData } from "../live.ts";

/** The kinds of events, by name prefix. */
const KINDS = [
  ["", "all events"],
  ["flow-run.", "runs"],
  ["deployment.", "deployments"],
  ["worker.", "workers"],
  ["work-pool.", "pools"],
  ["webhook.", "webhooks"],
  ["backfill.", "backfills"],
  ["notice.", "notices"],
] as const;

const LIMITS = ["100", "500", "1000"];

/** Where an event's resource leads: a run's page, a deployment's row. */
function resourceLink(e: EventJson): string | null {
  if (!e.resource) return null;
  if (e.name.startsWith("flow-run.") && e.name !== "flow-run.deleted") return `/runs/${e.resource}`;
  if (e.name.startsWith("deployment.") && e.name !== "deployment.removed") {
    return `/deployments?selected=${encodeURIComponent(e.resource)}`;
  }
  return null;
}

function EventRow({ e }: { e: EventJson }) {
  const [open, setOpen] = useState(false);
  const payload = JSON.stringify(e.payload ?? {});
  const link = resourceLink(e);
  return (
    <tr data-testid="event-row">
      <td class="nowrap">{formatTime(e.at)}</td>
      <td class="mono">{e.name}</td>
      <td class="mono">{link ? <a href={link}>{e.resource}</a> : (e.resource ?? "")}</td>
      <td class="mono payload">
        {payload === "{}" ? (
          ""
        ) : open ? (
          <pre>{JSON.stringify(e.payload, null, 2)}</pre>
        ) : (
          <button type="button" class="link" onClick={() => setOpen(true)} title="Show all">
            {payload.length > 120 ? `${payload.slice(0, 120)}…` : payload}
          </button>
        )}
      </td>
    </tr>
  );
}

/** The Events page. */
export function EventsPage({ query }: PageProps) {
  const kind = query.get("kind") ?? "";
  const text = query.get("q") ?? "";
  const limit = query.get("limit") ?? "100";
  const set = (change: Record<string, string>) =>
    navigate("/events", { kind, q: text, limit, ...change }, true);
  const { data, error } = useLiveData(
    () =>
      get<EventJson[]>(
        `/api/events?limit=${limit}${kind ? `&prefix=${encodeURIComponent(kind)}` : ""}`,
      ),
    { prefixes: kind ? [kind] : [], key: `${kind}|${limit}`, batchMs: 200 },
  );
  const needle = text.toLowerCase();
  const shown = (data ?? []).filter(
    (e) =>
      !needle ||
      e.name.toLowerCase().includes(needle) ||
      (e.resource ?? "").toLowerCase().includes(needle) ||
      JSON.stringify(e.payload ?? {})
        .toLowerCase()
        .includes(needle),
  );
  return (
    <div>
      <PageTitle title="Events" />
      <div class="filters">
        <select
          aria-label="Kind"
          value={kind}
          onChange={(e) => set({ kind: (e.currentTarget as HTMLSelectElement).value })}
        >
          {KINDS.map(([prefix, label]) => (
            <option key={prefix} value={prefix}>
              {label}
            </option>
          ))}
        </select>
        <input
          type="search"
          aria-label="Text"
          placeholder="name, resource or payload contains…"
          size={36}
          value={text}
          onInput={(e) => set({ q: (e.currentTarget as HTMLInputElement).value })}
        />
        <select
          aria-label="How many"
          value={limit}
          onChange={(e) => set({ limit: (e.currentTarget as HTMLSelectElement).value })}
        >
          {LIMITS.map((n) => (
            <option key={n} value={n}>
              latest {n}
            </option>
          ))}
        </select>
        {data && (
          <span class="muted">
            {shown.length} of the latest {data.length}
          </span>
        )}
      </div>
      <ErrorBox error={error} />
      {!data ? (
        <Loading />
      ) : (
        <table class="events">
          <thead>
            <tr>
              <th>Time</th>
              <th>Event</th>
              <th>Resource</th>
              <th>Payload</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <EventRow key={e.id} e={e} />
            ))}
          </tbody>
        </table>
      )}
      {data && !shown.length && <p class="muted">No events match.</p>}
    </div>
  );
}
