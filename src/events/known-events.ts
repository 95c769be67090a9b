import { closest, glob, STATE_TYPES } from "../core/index.ts";

/** The events orch emits itself, with the payload keys each carries (besides `resource`). */
export const KNOWN_EVENTS: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(
    STATE_TYPES.map((t) => [
      `flow-run.${t.toLowerCase()}`,
      ["deployment", "state", "state_name", "message"],
    ]),
  ),
  // A planned run the scheduler took back (store/planned-runs.ts).
  "flow-run.deleted": ["deployment", "scheduled_at"],
  "deployment.created": ["version", "source"],
  "deployment.updated": ["version", "source"],
  "deployment.removed": ["reason"],
  "deployment.invalid": ["file", "problems"],
  "deployment.valid-again": ["file", "deployments", "deleted"],
  "deployment.paused": [],
  "deployment.resumed": [],
  "task-run.updated": ["deployment", "tasks", "failed"],
  "work-pool.updated": ["concurrency", "queues"],
  "trigger.missed": ["deployment", "trigger", "expected", "within_ms", "since", "for_each"],
  "trigger.rate-limited": ["deployment", "trigger", "limit", "per_ms", "until"],
  "trigger.failed": ["deployment", "trigger", "action", "event", "event_id", "message"],
  "file.arrived": ["path", "file", "folder", "size", "sha256", "watch"],
  // orch up's load of the project (server/load-project.ts), at each start.
  "project.loading": ["phase", "done", "total"],
  "project.loaded": ["deployments", "ms"],
  "project.planned": ["deployments", "ms"],
  // Finished runs, log lines or events deleted (orch runs prune, retention): live views reload.
  "project.pruned": ["runs", "log_lines", "events"],
};

/** Prefixes of orch's own events: a trigger on one of these must name a real one. */
const OWN_PREFIXES = [
  "flow-run.",
  "task-run.",
  "deployment.",
  "work-pool.",
  "trigger.",
  "file.",
  "project.",
];

/**
 * The payload keys of the events `on` names, when they are all orch's own (null otherwise: an
 * event anyone may emit carries what its sender puts in it).
 */
export function payloadKeys(on: string): string[] | null {
  if (!OWN_PREFIXES.some((p) => on.startsWith(p))) return null;
  const matching = Object.keys(KNOWN_EVENTS).filter((n) => glob(on, n));
  if (!matching.length) return null;
  return [...new Set(matching.flatMap((n) => KNOWN_EVENTS[n] ?? []))];
}

/**
 * What is wrong with a trigger's `on` and `match`, in words (empty when nothing is): orch's own
 * events and their keys are known, so a typo there would make a trigger that never fires.
 */
export function triggerProblems(
  on: string,
  match: Record<string, unknown>,
  what = "match",
): { key: string[]; message: string }[] {
  const problems: { key: string[]; message: string }[] = [];
  if (!OWN_PREFIXES.some((p) => on.startsWith(p))) return problems;
  const names = Object.keys(KNOWN_EVENTS);
  const matching = names.filter((n) => glob(on, n));
  if (!matching.length) {
    const guess = closest(on, names);
    problems.push({
      key: ["on"],
      message: `${JSON.stringify(on)} is not an event orch emits${guess ? ` (did you mean "${guess}"?)` : ""}`,
    });
    return problems;
  }
  const keys = new Set(["resource", ...matching.flatMap((n) => KNOWN_EVENTS[n] ?? [])]);
  for (const key of Object.keys(match)) {
    const top = key.replace(/^payload\./, "").split(".")[0]!;
    if (!keys.has(top) && key !== "name" && key !== "resource.id") {
      const guess = closest(top, [...keys]);
      problems.push({
        key: [what, key],
        message: `${on} events have no ${JSON.stringify(top)}${guess ? ` (did you mean "${guess}"?)` : ""}; they have ${[...keys].join(", ")}`,
      });
    }
  }
  return problems;
}
