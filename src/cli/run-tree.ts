import type { RunJson } from "../client/index.ts";

/**
 * A page of runs (newest first) as a tree: each subflow's run right under its parent's (when
 * that is on the page too), in the order they ran, with its depth. Runs whose parent is not on
 * the page stay where they were, at depth 0.
 */
export function runTree(runs: readonly RunJson[]): { run: RunJson; depth: number }[] {
  const onPage = new Set(runs.map((r) => r.id));
  const children = new Map<string, RunJson[]>();
  for (const run of runs) {
    if (run.parent_id && onPage.has(run.parent_id)) {
      children.set(run.parent_id, [...(children.get(run.parent_id) ?? []), run]);
    }
  }
  const out: { run: RunJson; depth: number }[] = [];
  const visit = (run: RunJson, depth: number) => {
    out.push({ run, depth });
    // The page is newest first; a parent's subflows read best in the order they ran.
    for (const child of [...(children.get(run.id) ?? [])].reverse()) visit(child, depth + 1);
  };
  for (const run of runs) {
    if (!(run.parent_id && onPage.has(run.parent_id))) visit(run, 0);
  }
  return out;
}
