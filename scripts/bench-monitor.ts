/**
 * The monitor's state benchmark, in process: with 10,000 runs held, what one live update (a run
 * upserted) costs, beside its baseline, rebuilding the state from a snapshot of the same runs,
 * and the 25 ms target (an update must fit in a frame, so it may never become a rebuild).
 */
import type { RunJson } from "../src/client/index.ts";
import { reduce } from "../src/tui/reduce.ts";
import { initialState, type MonitorState } from "../src/tui/state.ts";

/** The target one update is held to (it used to be a test's assertion). */
const TARGET_MS = 25;

/** A finished run created `n` ms after a fixed time. */
function run(n: number, state: RunJson["state"] = "COMPLETED"): RunJson {
  const at = new Date(Date.UTC(2025, 0, 1, 12) + n).toISOString();
  return {
    id: `${n.toString(16).padStart(8, "0")}-bench`,
    deployment: "hello",
    state,
    state_name: state === "RUNNING" ? "Running" : "Completed",
    state_message: "",
    parameters: {},
    tags: [],
    attempt: 1,
    scheduled_at: at,
    started_at: at,
    ended_at: state === "RUNNING" ? null : at,
    exit_code: state === "RUNNING" ? null : 0,
    signal: null,
    worker: null,
    version: 1,
    parent_id: null,
    work_pool: "default",
    work_queue: "default",
    created_by: "api",
    created_at: at,
  };
}

/** Run the monitor state's benchmark; returns the figures. */
export function benchMonitor(count = 10_000, updates = 200) {
  const runs = Array.from({ length: count }, (_, i) => run(count - i));
  const snapshot = (): MonitorState =>
    reduce(initialState({ url: "http://127.0.0.1:4200" }), {
      type: "snapshot",
      deployments: [],
      workers: [],
      runs,
      problems: { files: [], notices: [] },
    });
  snapshot(); // warm up
  const rebuilds: number[] = [];
  let state = snapshot();
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    state = snapshot();
    rebuilds.push(performance.now() - t);
  }
  const each: number[] = [];
  for (let i = 0; i < updates; i++) {
    const t = performance.now();
    state = reduce(state, { type: "runsUpserted", runs: [run(2 * count + i, "RUNNING")] });
    each.push(performance.now() - t);
  }
  if (state.runs.order.length !== count) throw new Error("the update changed the run count");
  // A pause or a schedule edit deletes planned runs: the server's flow-run.deleted events
  // arrive as one batch to drop.
  const gone = state.runs.order.slice(0, 1000);
  const t0 = performance.now();
  const after = reduce(state, { type: "runsRemoved", ids: [...gone] });
  const removeMs = performance.now() - t0;
  if (after.runs.order.length !== count - gone.length) throw new Error("the removal kept runs");
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const round = (x: number) => Number(x.toFixed(3));
  return {
    runs: count,
    update_ms: {
      p50: round(median(each)),
      max: round(Math.max(...each)),
      rebuild_p50: round(median(rebuilds)),
      remove_1000: round(removeMs),
      target_max: TARGET_MS,
    },
    targets_met: {
      update_under_25ms: median(each) < TARGET_MS,
      remove_1000_under_25ms: removeMs < TARGET_MS,
    },
  };
}

if (import.meta.main) console.log(JSON.stringify({ monitor: benchMonitor() }));
