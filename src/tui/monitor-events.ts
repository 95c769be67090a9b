import type { EventJson } from "../client/index.ts";
import { shortId } from "./format.ts";

// What the event line says of the server's events: words only; what an event changes in the
// state is monitor-sync.ts's.

type Note = (level: "info" | "warn" | "error", message: string) => void;

/**
 * A backfill's progress for the event line, or null between steps: its start, each tenth of its
 * slots, and its end or pause, so a long backfill shows how far it is without a line per slot.
 */
export function backfillProgress(id: string, p: Record<string, unknown>): string | null {
  const total = Number(p.total ?? 0);
  const handled = Number(p.created ?? 0) + Number(p.skipped ?? 0);
  const step = Math.max(1, Math.floor(total / 10));
  const status = String(p.status ?? "");
  if (status === "running" && handled > 0 && handled % step !== 0 && handled !== total) return null;
  const what = status === "running" ? (handled === 0 ? "started" : "running") : status;
  return `backfill ${shortId(id)} of ${p.deployment}: ${what}, ${handled}/${total} slots`;
}

/** A large project's load, for the event line: each step of its progress, then its end. */
export function loadProgress(name: string, p: Record<string, unknown>): string | null {
  const n = (v: unknown) => Number(v ?? 0).toLocaleString("en-US");
  if (name === "project.loading") {
    const what = p.phase === "reading" ? "definition files" : "deployments";
    return `loading the project: ${p.phase} ${n(p.done)} of ${n(p.total)} ${what}`;
  }
  // A small project loads in a blink: its end is not news.
  if (name === "project.loaded" && Number(p.ms ?? 0) >= 1000) {
    return `loaded the project: ${n(p.deployments)} deployments in ${(Number(p.ms ?? 0) / 1000).toFixed(1)} s`;
  }
  return null;
}

/** The event line's words for a run event: crashes, late runs. */
export function describeRunEvent(e: EventJson, p: Record<string, unknown>, note: Note): void {
  const of = p.deployment ? ` of ${p.deployment}` : "";
  if (e.name === "flow-run.crashed") {
    note("error", `run ${shortId(e.resource!)}${of} crashed${p.message ? `: ${p.message}` : ""}`);
  } else if (p.state_name === "Late") {
    note("warn", `run ${shortId(e.resource!)}${of} is late`);
  }
}

/** The event line's words for a deployment event. */
export function describeDeploymentEvent(
  e: EventJson,
  p: Record<string, unknown>,
  note: Note,
): void {
  const name = e.resource!;
  switch (e.name) {
    case "deployment.invalid": {
      const problems = (p.problems as string[] | undefined) ?? [];
      const count = `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
      note(
        "error",
        problems.length > 1
          ? `${name} has ${count} (! lists them all): ${problems[0]}`
          : (problems[0] ?? `${name} is invalid`),
      );
      return;
    }
    case "deployment.valid-again":
      note(
        "info",
        p.deleted ? `${name} was deleted: its problems are gone` : `${name} is valid again`,
      );
      return;
    case "deployment.removed":
      note("info", `removed ${name}${p.reason ? `: ${p.reason}` : ""}`);
      return;
    case "deployment.created":
    case "deployment.updated":
    case "deployment.paused":
    case "deployment.resumed": {
      const verb = {
        "deployment.created": "deployed",
        "deployment.updated": "redeployed",
        "deployment.paused": "paused",
        "deployment.resumed": "resumed",
      }[e.name];
      note("info", `${verb} ${name}${p.version ? ` (v${p.version})` : ""}`);
    }
  }
}
