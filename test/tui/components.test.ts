import { render } from "ink-testing-library";
import { createElement as h } from "react";
import { afterEach, describe, expect, test } from "vitest";
import { DeploymentList } from "../../src/tui/DeploymentList.tsx";
import { Header } from "../../src/tui/Header.tsx";
import { HelpOverlay } from "../../src/tui/HelpOverlay.tsx";
import { mergeRuns } from "../../src/tui/held-runs.ts";
import { LogPane } from "../../src/tui/LogPane.tsx";
import { Monitor } from "../../src/tui/Monitor.tsx";
import { createMonitorStore } from "../../src/tui/monitor-store.ts";
import { RunDetails } from "../../src/tui/RunDetails.tsx";
import { RunTable } from "../../src/tui/RunTable.tsx";
import { TriggerForm } from "../../src/tui/TriggerForm.tsx";
import { createTriggerForm } from "../../src/tui/trigger-form.ts";
import { deployment, run, runDetailsFrame } from "./fixtures.ts";

const now = Date.now();
let unmounts: (() => void)[] = [];
afterEach(() => {
  for (const u of unmounts) u();
  unmounts = [];
});
const frame = (el: Parameters<typeof render>[0]) => {
  const r = render(el);
  unmounts.push(r.unmount);
  return r;
};
const lines = (text: string | undefined) => (text ?? "").split("\n");

describe("RunTable", () => {
  test("renders only the rows in view of 10,000 runs, with their states", () => {
    const runs = Array.from({ length: 10_000 }, (_, i) =>
      run(10_000 - i, i === 1 ? { state: "SCHEDULED", state_name: "Late" } : {}),
    );
    const held = mergeRuns({ byId: new Map(), order: [] }, runs, 10_000, "older");
    const { lastFrame } = frame(
      h(RunTable, {
        ids: held.order,
        byId: held.byId,
        selected: runs[0]!.id,
        top: 0,
        height: 5,
        focused: true,
        cols: 100,
        now,
        filter: "",
        loaded: true,
      }),
    );
    const out = lastFrame()!;
    expect(lines(out)).toHaveLength(7);
    expect(out).toContain("Runs (10000)");
    expect(out).toContain("1-5 of 10000");
    expect(out).toContain("LATE");
    expect(out).toContain("COMPLETED");
    expect(out).toContain(runs[4]!.id.slice(0, 8));
    expect(out).not.toContain(runs[5]!.id.slice(0, 8));
  });

  test("a narrow terminal drops the start and attempt columns", () => {
    const held = mergeRuns({ byId: new Map(), order: [] }, [run(1)], 10, "older");
    const props = {
      ids: held.order,
      byId: held.byId,
      selected: null,
      top: 0,
      height: 3,
      focused: false,
      now,
      filter: "",
      loaded: true,
    };
    expect(frame(h(RunTable, { ...props, cols: 100 })).lastFrame()).toContain("STARTED");
    const narrow = frame(h(RunTable, { ...props, cols: 50 })).lastFrame()!;
    expect(narrow).not.toContain("STARTED");
    expect(Math.max(...lines(narrow).map((l) => l.length))).toBeLessThanOrEqual(50);
  });
});

describe("DeploymentList", () => {
  test("shows schedules in words, the last run's state and paused", () => {
    const deployments = [
      deployment("etl", { schedules: [{ interval_ms: 900_000, active: true } as never] }),
      deployment("nightly", { paused: true }),
    ];
    const { lastFrame } = frame(
      h(DeploymentList, {
        deployments,
        runs: new Map([
          ["etl", { last: run(1, { state: "FAILED", state_name: "Failed" }), next: null }],
        ]),
        selected: "etl",
        top: 0,
        height: 4,
        focused: true,
        cols: 100,
        now,
        loaded: true,
        filter: "",
      }),
    );
    const out = lastFrame()!;
    expect(out).toContain("every 15m");
    expect(out).toMatch(/etl.*FAILED/);
    expect(out).toMatch(/nightly.*paused/);
  });
});

describe("Header, LogPane, HelpOverlay, TriggerForm, RunDetails", () => {
  test("the header shows the address, the workers and counts by state", () => {
    const out = frame(
      h(Header, {
        mode: "attach",
        server: { url: "http://127.0.0.1:4200", status: "online" },
        workers: [
          {
            id: "w1",
            name: "embedded",
            pool: "default",
            host: "box",
            pid: 1,
            concurrency: 8,
            status: "online",
            started_at: null,
            last_heartbeat: null,
            runs: 0,
          },
        ],
        counts: new Map([
          ["RUNNING", 2],
          ["CRASHED", 1],
        ]),
        problems: { files: [], notices: [] },
        cols: 140,
        now,
      }),
    ).lastFrame()!;
    expect(out).toContain("http://127.0.0.1:4200");
    expect(out).toContain("online");
    expect(out).toContain("1 worker (embedded@box)");
    expect(out).toContain("2 running");
    expect(out).toContain("1 crashed");
  });

  test("the header names workers by pool when they serve several (two pools' embedded workers share a name)", () => {
    const worker = (id: string, pool: string) => ({
      id,
      name: "embedded",
      pool,
      host: "vm",
      pid: 1,
      concurrency: 8,
      status: "online" as const,
      started_at: null,
      last_heartbeat: null,
      runs: 0,
    });
    const out = frame(
      h(Header, {
        mode: "attach",
        server: { url: "http://127.0.0.1:4200", status: "online" },
        workers: [worker("w1", "default"), worker("w2", "docker")],
        counts: new Map(),
        problems: { files: [], notices: [] },
        cols: 160,
        now,
      }),
    ).lastFrame()!;
    expect(out).toContain("2 workers (default: embedded@vm, docker: embedded@vm)");
  });

  test("the log pane tails the last lines", () => {
    const logLines = Array.from({ length: 50 }, (_, i) => ({
      id: i + 1,
      at: new Date(now).toISOString(),
      stream: "stdout" as const,
      line: `line number ${i + 1}`,
    }));
    const out = frame(
      h(LogPane, {
        title: "Logs",
        lines: logLines,
        offset: null,
        height: 3,
        focused: false,
        ended: false,
        cols: 80,
        now,
      }),
    ).lastFrame()!;
    expect(out).toContain("following");
    expect(out).toContain("line number 50");
    expect(out).toContain("line number 48");
    expect(out).not.toContain("line number 47");
  });

  test("help lists the keys", () => {
    const out = frame(h(HelpOverlay, { height: 20, cols: 100, mode: "up" })).lastFrame()!;
    for (const key of ["enter", "tab", "r ", "c ", "R ", "p ", "/", "?", "q "]) {
      expect(out).toContain(key);
    }
    expect(out).toContain("stops the server");
  });

  test("the trigger form shows defaults and problems", () => {
    const form = {
      ...createTriggerForm(deployment("etl", { parameters: { limit: 3 } })),
      errors: { limit: "must be at least 1" },
    };
    const out = frame(h(TriggerForm, { form, height: 10, cols: 100 })).lastFrame()!;
    expect(out).toContain("Trigger etl");
    expect(out).toMatch(/limit\s+3/);
    expect(out).toContain("must be at least 1");
  });

  test("a pause's input form says what its values are checked against, and how a yes/no is written", () => {
    const base = createTriggerForm(deployment("approve", {}));
    const form = {
      ...base,
      deployment: "resume of run 31719ee8",
      resumeRunId: "31719ee8-0000",
      fields: [{ name: "approved", type: "boolean", required: true, text: "" }],
    } as typeof base;
    const out = frame(h(TriggerForm, { form, height: 10, cols: 120 })).lastFrame()!;
    expect(out).toContain("checked against what the pause asks for");
    expect(out).not.toContain("parameter schema");
    expect(out).toContain("boolean (true or false), required");
  });

  test("run details show the state timeline, parameters and exit code", () => {
    const detail = {
      ...run(1, {
        parameters: { name: "orch" },
        exit_code: 3,
        state: "FAILED",
        state_name: "Failed",
      }),
      states: [
        {
          type: "SCHEDULED" as const,
          name: "Scheduled" as const,
          at: new Date(now).toISOString(),
          message: "",
        },
        {
          type: "FAILED" as const,
          name: "Failed" as const,
          at: new Date(now).toISOString(),
          message: "exited with code 3",
        },
      ],
      tasks: [],
    };
    const out = frame(
      h(RunDetails, {
        run: detail,
        lines: [],
        logOffset: null,
        logsEnded: true,
        headRows: 12,
        logRows: 3,
        cols: 100,
        now,
      }),
    ).lastFrame()!;
    expect(out).toContain("state timeline");
    expect(out).toContain("exited with code 3");
    expect(out).toMatch(/exit code\s+3/);
    expect(out).toContain('name = "orch"');
  });
});

describe("subflows and small terminals", () => {
  test("a subflow's run is named by its flow, as runs ls names it, not ad hoc", () => {
    const store = createMonitorStore({ mode: "attach" });
    const parent = run(2, { deployment: "etl" });
    const child = run(3, { deployment: null, parent_id: parent.id, flow_name: "load" });
    const adHoc = run(1, { deployment: null });
    store.dispatch({
      type: "snapshot",
      deployments: [deployment("etl")],
      workers: [],
      runs: [child, parent, adHoc],
      problems: { files: [], notices: [] },
    });
    const out = frame(h(Monitor, { store })).lastFrame()!;
    expect(out).toContain(`└ load (of ${parent.id.slice(0, 8)})`);
    expect(out.match(/\(ad hoc\)/g)?.length).toBe(1);
  });

  test("the run details of a 24-line terminal still show the parameters", () => {
    const detail = {
      ...run(1, { parameters: { day: "2026-11-30", limit: 5 }, name: "etl-monday" }),
      states: [],
      attempts: [],
      tasks: [],
      result: null,
      artifacts: [],
    };
    const out = runDetailsFrame(detail, { headRows: 9 });
    expect(out).toMatch(/parameters\s+day = "2026-11-30", limit = 5/);
    expect(runDetailsFrame({ ...detail, parameters: {} }, { headRows: 9 })).toMatch(
      /parameters\s+none/,
    );
  });
});

describe("Monitor", () => {
  test("draws the store's state and moves with j and k", async () => {
    const store = createMonitorStore({ mode: "attach" });
    const runs = [run(3), run(2, { state: "CRASHED", state_name: "Crashed" }), run(1)];
    store.dispatch({
      type: "snapshot",
      deployments: [deployment("hello")],
      workers: [],
      runs,
      problems: { files: [], notices: [] },
    });
    store.dispatch({
      type: "event",
      event: { at: now, level: "error", text: "flows/bad.yaml:3:5: schedules[0].cron: not valid" },
    });
    const { lastFrame, stdin } = frame(h(Monitor, { store }));
    const out = lastFrame()!;
    expect(out).toContain("Deployments (1)");
    expect(out).toContain("Runs (3)");
    expect(out).toContain("CRASHED");
    expect(out).toContain("flows/bad.yaml:3:5");
    expect(out).toContain("q quit");
    stdin.write("j");
    await new Promise((r) => setTimeout(r, 50));
    expect(store.getState().selectedRun).toBe(runs[1]!.id);
    expect(lastFrame()).toMatch(new RegExp(`› ${runs[1]!.id.slice(0, 8)}`));
    stdin.write("?");
    await new Promise((r) => setTimeout(r, 50));
    expect(lastFrame()).toContain("any key closes");
    // the footer says it the same way as the overlay's header
    expect(lastFrame()).not.toMatch(/any key close(?!s)/);
    store.stop();
  });
});
