/**
 * The runs the monitor holds, in the order it lists them: merged as pages and live updates
 * come, and dropped as the server deletes them.
 */
import type { MonitorRun, RunsState } from "./state.ts";

/**
 * Merge runs into the held ones. Known runs are replaced in place; unknown ones go to the top
 * ("newer": they were just created) or the bottom ("older": a page of history), each at its
 * place by creation time. Beyond `max`, the oldest are dropped (never `keep`, the selection).
 */
export function mergeRuns(
  runs: RunsState,
  incoming: readonly MonitorRun[],
  max: number,
  where: "newer" | "older",
  keep: string | null = null,
): RunsState {
  if (!incoming.length) return runs;
  const byId = new Map(runs.byId);
  const fresh: MonitorRun[] = [];
  for (const run of incoming) {
    const held = byId.get(run.id);
    // A page of history was read before what the live events since brought: the held one wins.
    if (held && where === "older") continue;
    // A list row never replaces a detail (with its states) of the same run and state time.
    if (held && "states" in held && !("states" in run) && held.state === run.state) {
      byId.set(run.id, { ...held, ...run });
    } else {
      byId.set(run.id, run);
    }
    if (!held) fresh.push(run);
  }
  let order = runs.order;
  if (fresh.length) {
    const newest = (a: MonitorRun, b: MonitorRun) =>
      (b.created_at ?? "").localeCompare(a.created_at ?? "");
    fresh.sort(newest);
    if (where === "older") {
      order = [...order, ...fresh.map((r) => r.id)];
    } else {
      const head = order[0] ? byId.get(order[0]) : undefined;
      if (!head || newest(fresh.at(-1)!, head) <= 0) {
        order = [...fresh.map((r) => r.id), ...order];
      } else {
        // Some are older than the newest held (a replay): place each by creation time.
        const all = [...order.map((id) => byId.get(id)!), ...fresh];
        order = all.sort(newest).map((r) => r.id);
      }
    }
  }
  if (order.length > max) {
    const dropped = order.slice(max).filter((id) => id !== keep);
    order = order.slice(0, max);
    if (keep && !order.includes(keep) && byId.has(keep)) order = [...order, keep];
    for (const id of dropped) byId.delete(id);
  }
  return { byId, order };
}

/** The runs without `ids`; the same object when none of them was held. */
export function removeRuns(runs: RunsState, ids: readonly string[]): RunsState {
  const gone = new Set(ids.filter((id) => runs.byId.has(id)));
  if (!gone.size) return runs;
  const byId = new Map(runs.byId);
  for (const id of gone) byId.delete(id);
  return { byId, order: runs.order.filter((id) => !gone.has(id)) };
}
