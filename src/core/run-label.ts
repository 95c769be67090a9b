import type { RunJson } from "./wire/runs.ts";

/**
 * What names a run in a listing (runs ls, the monitor): its deployment, or for a subflow's run
 * `└ flow` (with its parent's id when the parent is not drawn above it, `depth` 0), or "(ad hoc)".
 */
export function runLabel(
  run: Pick<RunJson, "deployment" | "flow_name" | "parent_id">,
  depth = 0,
): string {
  const name = run.deployment ?? run.flow_name ?? "(ad hoc)";
  if (!run.parent_id) return name;
  const of = depth === 0 ? ` (of ${run.parent_id.slice(0, 8)})` : "";
  return `${"  ".repeat(Math.max(0, depth - 1))}└ ${name}${of}`;
}
