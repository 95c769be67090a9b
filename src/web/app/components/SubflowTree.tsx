/** @jsxImportSource preact */
/**
 * A run's subflows as a tree: each child run with its state and time; a child that called flows
 * of its own opens to show them (read when opened).
 */
import { useState } from "preact/hooks";
import type { RunDetail, RunJson } from "../../../core/index.ts";
import { get, seg } from "../api.ts";
import { formatDuration, shortId } from "./format.ts";
import { StateBadge } from "./StateBadge.tsx";

function took(run: RunJson, now: number): string {
  if (!run.started_at) return "";
  return formatDuration(
    (run.ended_at ? Date.parse(run.ended_at) : now) - Date.parse(run.started_at),
  );
}

function Node({ run, now }: { run: RunJson; now: number }) {
  const [children, setChildren] = useState<RunJson[] | null>(null);
  const [open, setOpen] = useState(false);
  const toggle = () => {
    if (!open && children === null) {
      get<RunDetail>(`/api/runs/${seg(run.id)}`).then(
        (d) => setChildren(d.children ?? []),
        () => setChildren([]),
      );
    }
    setOpen(!open);
  };
  return (
    <li data-testid="subflow" data-run={run.id}>
      <button
        type="button"
        class="toggle"
        onClick={toggle}
        aria-expanded={open}
        title="Its subflows"
      >
        {open ? "▾" : "▸"}
      </button>
      <StateBadge state={run.state} name={run.state_name} />{" "}
      <a href={`/runs/${run.id}`}>{run.flow_name ?? run.name ?? shortId(run.id)}</a>{" "}
      <span class="muted mono">{shortId(run.id)}</span> <span class="muted">{took(run, now)}</span>
      {open ? (
        children === null ? (
          <p class="muted">Loading…</p>
        ) : children.length ? (
          <SubflowTree runs={children} now={now} />
        ) : (
          <p class="muted">No subflows.</p>
        )
      ) : null}
    </li>
  );
}

/** The tree of `runs` (a run's children) and, when opened, theirs. */
export function SubflowTree({ runs, now }: { runs: readonly RunJson[]; now: number }) {
  return (
    <ul class="tree">
      {runs.map((r) => (
        <Node key={r.id} run={r} now={now} />
      ))}
    </ul>
  );
}
