import { describe, expect, test } from "vitest";
import type { Action } from "../../src/tui/action.ts";
import { reduce } from "../../src/tui/reduce.ts";
import {
  inFlight,
  selectCounts,
  selectDeploymentRuns,
  selectedRun,
  selectRunIds,
} from "../../src/tui/select.ts";
import type { MonitorState } from "../../src/tui/state.ts";
import { deployment, loaded, run } from "./fixtures.ts";

const apply = (state: MonitorState, ...actions: Action[]) => actions.reduce(reduce, state);
const newestFirst = (n: number) => Array.from({ length: n }, (_, i) => run(n - i));

describe("runs", () => {
  test("a snapshot holds the deployments by name and the runs newest first", () => {
    const s = loaded([deployment("b"), deployment("a")], newestFirst(3));
    expect(s.loaded).toBe(true);
    expect(s.deployments.map((d) => d.name)).toEqual(["a", "b"]);
    expect(s.runs.order.map((id) => s.runs.byId.get(id)!.created_at)).toEqual(
      [...s.runs.order.map((id) => s.runs.byId.get(id)!.created_at)].sort().reverse(),
    );
  });

  test("runs a schedule planned come after what happened, soonest first", () => {
    const planned = (n: number, at: number) =>
      run(n, {
        created_by: "schedule",
        state: "SCHEDULED",
        state_name: "Scheduled",
        started_at: null,
        ended_at: null,
        exit_code: null,
        scheduled_at: new Date(Date.UTC(2025, 0, 2) + at).toISOString(),
      });
    const later = planned(50, 2000);
    const sooner = planned(49, 1000);
    const ended = run(10);
    const s = loaded([], [later, sooner, ended]);
    expect(selectRunIds(s.runs, "")).toEqual([ended.id, sooner.id, later.id]);
  });

  test("a slot cancelled before it started sits by when it was cancelled, below later runs", () => {
    const ran = run(20);
    const cancelled = run(50, {
      created_by: "schedule",
      state: "CANCELLED",
      state_name: "Cancelled",
      started_at: null,
      exit_code: null,
      ended_at: new Date(Date.UTC(2025, 0, 1, 12) + 10).toISOString(),
      scheduled_at: new Date(Date.UTC(2025, 0, 2)).toISOString(),
    });
    const s = loaded([], [cancelled, ran]);
    expect(selectRunIds(s.runs, "")).toEqual([ran.id, cancelled.id]);
  });

  test("a new run goes on top, a changed run changes in place", () => {
    const runs = newestFirst(3);
    let s = loaded([], runs);
    const fresh = run(10, { state: "RUNNING", state_name: "Running" });
    const changed = { ...runs[1]!, state: "FAILED" as const, state_name: "Failed" as const };
    s = reduce(s, { type: "runsUpserted", runs: [fresh, changed] });
    expect(s.runs.order[0]).toBe(fresh.id);
    expect(s.runs.order[2]).toBe(changed.id);
    expect(s.runs.byId.get(changed.id)!.state).toBe("FAILED");
  });

  test("a replayed run older than the newest held goes to its place by creation time", () => {
    let s = loaded([], [run(30), run(10)]);
    const middle = run(20);
    s = reduce(s, { type: "runsUpserted", runs: [middle] });
    expect(s.runs.order.indexOf(middle.id)).toBe(1);
  });

  test("pages of history go below, without duplicates", () => {
    const first = newestFirst(5);
    let s = loaded([], first.slice(0, 3));
    s = reduce(s, { type: "runsPage", runs: first.slice(2) });
    expect(s.runs.order).toEqual(first.map((r) => r.id));
  });

  test("the selection stays on its run when new runs arrive above it", () => {
    let s = loaded([], newestFirst(3));
    s = apply(s, { type: "move", by: 1 });
    const chosen = selectedRun(s)!.id;
    s = reduce(s, { type: "runsUpserted", runs: [run(100), run(101)] });
    expect(selectedRun(s)!.id).toBe(chosen);
  });

  test("beyond maxRuns the oldest are dropped, never the selected one", () => {
    const runs = newestFirst(10);
    let s = loaded([], runs, { maxRuns: 5 });
    expect(s.runs.order).toHaveLength(5);
    s = reduce(s, { type: "select", runId: runs[4]!.id });
    s = reduce(s, { type: "runsUpserted", runs: [run(50), run(51), run(52)] });
    expect(s.runs.order.length).toBeLessThanOrEqual(6);
    expect(s.runs.order).toContain(runs[4]!.id);
    expect(s.runs.byId.size).toBe(s.runs.order.length);
  });

  // What an update costs beside a rebuild is a figure: `npm run bench -- --only monitor`.
  test("10,000 runs: each update puts the new run first and keeps the count at the cap", () => {
    let s = loaded([deployment("hello")], newestFirst(10_000), { maxRuns: 10_000 });
    const oldest = s.runs.order.at(-1)!;
    for (let i = 0; i < 20; i++) {
      const added = run(20_000 + i, { state: "RUNNING" });
      s = reduce(s, { type: "runsUpserted", runs: [added] });
      expect(s.runs.order[0]).toBe(added.id);
    }
    expect(s.runs.order).toHaveLength(10_000);
    expect(s.runs.byId.size).toBe(10_000);
    expect(s.runs.order).not.toContain(oldest);
  });
});

describe("moving and scrolling", () => {
  test("moving clamps at both ends and scrolls the list to keep the selection in view", () => {
    const runs = newestFirst(100);
    let s = loaded([deployment("hello")], runs, { size: { cols: 100, rows: 24 } });
    s = apply(s, { type: "move", by: -5 });
    expect(selectedRun(s)!.id).toBe(runs[0]!.id);
    s = apply(s, { type: "move", by: 30 });
    expect(selectedRun(s)!.id).toBe(runs[30]!.id);
    expect(s.runsTop).toBeGreaterThan(0);
    expect(s.runsTop).toBeLessThanOrEqual(30);
    s = apply(s, { type: "moveTo", where: "last" });
    expect(selectedRun(s)!.id).toBe(runs[99]!.id);
    s = apply(s, { type: "moveTo", where: "first" });
    expect(s.runsTop).toBe(0);
  });

  test("tab cycles the panes; a short terminal has no log pane to focus", () => {
    let s = loaded([deployment("a")], [], { size: { cols: 100, rows: 40 } });
    expect(s.focus).toBe("runs");
    s = apply(s, { type: "focus", pane: "next" });
    expect(s.focus).toBe("logs");
    s = apply(s, { type: "focus", pane: "next" });
    expect(s.focus).toBe("deployments");
    s = apply(s, { type: "resize", cols: 60, rows: 12 }, { type: "focus", pane: "previous" });
    expect(s.focus).toBe("runs");
    s = apply(s, { type: "focus", pane: "next" });
    expect(s.focus).toBe("deployments");
  });

  test("moving in the deployments pane selects deployments", () => {
    let s = loaded([deployment("a"), deployment("b"), deployment("c")], []);
    s = apply(s, { type: "focus", pane: "deployments" }, { type: "move", by: 2 });
    expect(s.selectedDeployment).toBe("c");
  });
});

describe("filter", () => {
  test("narrows deployments and runs by name, id or state", () => {
    const runs = [
      run(3, { deployment: "etl", state: "FAILED", state_name: "Failed" }),
      run(2, { deployment: "hello" }),
      run(1, { deployment: "etl" }),
    ];
    let s = loaded([deployment("etl"), deployment("hello")], runs);
    s = reduce(s, { type: "filter", text: "etl" });
    expect(selectRunIds(s.runs, s.filter)).toEqual([runs[0]!.id, runs[2]!.id]);
    s = reduce(s, { type: "filter", text: "failed" });
    expect(selectRunIds(s.runs, s.filter)).toEqual([runs[0]!.id]);
    s = reduce(s, { type: "filter", text: "" });
    expect(selectRunIds(s.runs, s.filter)).toHaveLength(3);
  });
});

describe("logs", () => {
  const line = (id: number) => ({
    id,
    at: "2025-01-01T12:00:00.000Z",
    stream: "stdout" as const,
    line: `line ${id}`,
  });

  test("lines append once each, for the followed run only", () => {
    let s = loaded([], [run(1)]);
    s = apply(
      s,
      { type: "logsFollow", runId: "r1" },
      { type: "logsAppended", runId: "r1", lines: [line(1), line(2)] },
      { type: "logsAppended", runId: "r1", lines: [line(2), line(3)] },
      { type: "logsAppended", runId: "other", lines: [line(9)] },
    );
    expect(s.logs.lines.map((l) => l.id)).toEqual([1, 2, 3]);
    s = apply(s, { type: "logsEnded", runId: "r1" });
    expect(s.logs.ended).toBe(true);
    s = apply(s, { type: "logsFollow", runId: "r2" });
    expect(s.logs).toEqual({ runId: "r2", lines: [], ended: false, offset: null });
  });

  test("scrolling the log pane back stops following; moving to the end follows again", () => {
    let s = loaded([], [run(1)], { size: { cols: 100, rows: 40 } });
    s = apply(
      s,
      { type: "logsFollow", runId: "r1" },
      {
        type: "logsAppended",
        runId: "r1",
        lines: Array.from({ length: 100 }, (_, i) => line(i + 1)),
      },
      { type: "focus", pane: "logs" },
      { type: "move", by: -10 },
    );
    expect(s.logs.offset).not.toBeNull();
    s = apply(s, { type: "moveTo", where: "last" });
    expect(s.logs.offset).toBeNull();
  });
});

describe("deployments and selectors", () => {
  test("upserts keep the list sorted; removal drops it", () => {
    let s = loaded([deployment("b")], []);
    s = apply(
      s,
      { type: "deploymentUpserted", deployment: deployment("a") },
      { type: "deploymentUpserted", deployment: deployment("b", { paused: true }) },
    );
    expect(s.deployments.map((d) => [d.name, d.paused])).toEqual([
      ["a", false],
      ["b", true],
    ]);
    s = reduce(s, { type: "deploymentRemoved", name: "a" });
    expect(s.deployments.map((d) => d.name)).toEqual(["b"]);
  });

  test("NEXT RUN is the earliest waiting run, LAST RUN the one that started last", () => {
    const future = "2099-01-01T00:00:00.000Z";
    const s = loaded(
      // The deployment's own next_run is what the server said when it was fetched: the runs
      // held since are newer.
      [deployment("hello", { next_run: "2098-01-01T00:00:00.000Z" })],
      [
        run(4, {
          state: "SCHEDULED",
          state_name: "Scheduled",
          scheduled_at: future,
          started_at: null,
        }),
        // A slot cancelled before it started never ran: it is not the last run.
        run(3, {
          state: "CANCELLED",
          state_name: "Cancelled",
          started_at: null,
          ended_at: "2030-01-01T00:00:00.000Z",
        }),
        run(2, { state: "FAILED", state_name: "Failed", started_at: "2029-01-01T00:00:00.000Z" }),
        run(1, { started_at: "2028-01-01T00:00:00.000Z" }),
      ],
    );
    const info = selectDeploymentRuns(s.runs, s.deployments).get("hello")!;
    expect(info.last?.state).toBe("FAILED");
    expect(info.next).toBe(future);
    // The planned run deleted (a pause): no next run any more.
    const paused = reduce(s, {
      type: "runsRemoved",
      ids: [s.runs.order.find((id) => s.runs.byId.get(id)!.state === "SCHEDULED")!],
    });
    expect(selectDeploymentRuns(paused.runs, paused.deployments).get("hello")!.next).toBeNull();
  });

  test("counts by state set Late apart; in flight counts pending and running", () => {
    const s = loaded(
      [],
      [
        run(4, { state: "RUNNING", state_name: "Running" }),
        run(3, { state: "PENDING", state_name: "Pending" }),
        run(2, { state: "SCHEDULED", state_name: "Late" }),
        run(1),
      ],
    );
    const counts = selectCounts(s.runs, undefined);
    expect(counts.get("LATE")).toBe(1);
    expect(counts.get("SCHEDULED")).toBeUndefined();
    expect(inFlight(s)).toBe(2);
  });
});
