import { render } from "ink-testing-library";
import { createElement } from "react";
import type { DeploymentJson, RunDetail, RunJson } from "../../src/client/index.ts";
import { RunDetails } from "../../src/tui/RunDetails.tsx";
import { reduce } from "../../src/tui/reduce.ts";
import { initialState, type MonitorState } from "../../src/tui/state.ts";

/** A deployment as the API shows it, with defaults for what a test does not care about. */
export function deployment(name: string, extra: Partial<DeploymentJson> = {}): DeploymentJson {
  return {
    name,
    version: 1,
    description: "",
    flow: null,
    command: ["true"],
    paused: false,
    removed: false,
    tags: [],
    parameters: {},
    parameter_schema: null,
    schedules: [],
    triggers: [],
    retries: 0,
    retry_delay_ms: 0,
    timeout_ms: null,
    concurrency: null,
    work_pool: "default",
    work_queue: "default",
    next_run: null,
    source: `flows/${name}.yaml:3`,
    source_invalid: false,
    updated_at: "2025-01-01T00:00:00.000Z",
    ...extra,
  };
}

let seq = 0;

/** A run created `n` ms after a fixed time (so a higher `n` is newer). */
export function run(n: number, extra: Partial<RunJson> = {}): RunJson {
  const at = new Date(Date.UTC(2025, 0, 1, 12) + n).toISOString();
  return {
    id: `${(seq++).toString(16).padStart(8, "0")}-run-${n}`,
    deployment: "hello",
    state: "COMPLETED",
    state_name: "Completed",
    state_message: "",
    parameters: {},
    tags: [],
    attempt: 1,
    scheduled_at: at,
    started_at: at,
    ended_at: at,
    exit_code: 0,
    signal: null,
    worker: null,
    version: 1,
    parent_id: null,
    work_pool: "default",
    work_queue: "default",
    created_by: "api",
    created_at: at,
    ...extra,
  };
}

/** The state after a snapshot of these deployments and runs (runs given newest first). */
export function loaded(
  deployments: DeploymentJson[],
  runs: RunJson[],
  options: Parameters<typeof initialState>[0] = {},
): MonitorState {
  return reduce(initialState({ url: "http://127.0.0.1:4200", ...options }), {
    type: "snapshot",
    deployments,
    workers: [],
    runs,
    problems: { files: [], notices: [] },
  });
}

/** The run details pane of `detail` as the terminal shows it (no logs), one frame of text. */
export function runDetailsFrame(
  detail: RunDetail,
  size: { headRows?: number; cols?: number; now?: number } = {},
): string {
  const { lastFrame, unmount } = render(
    createElement(RunDetails, {
      run: detail,
      lines: [],
      logOffset: null,
      logsEnded: true,
      headRows: size.headRows ?? 14,
      logRows: 3,
      cols: size.cols ?? 120,
      now: size.now ?? Date.now(),
    }),
  );
  const out = lastFrame()!;
  unmount();
  return out;
}
