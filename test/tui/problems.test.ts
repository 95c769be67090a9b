import { render } from "ink-testing-library";
import { createElement as h } from "react";
import { afterEach, describe, expect, test } from "vitest";
import type { ProblemsJson } from "../../src/client/index.ts";
import { DeploymentList } from "../../src/tui/DeploymentList.tsx";
import { Header } from "../../src/tui/Header.tsx";
import { interpretKey, type KeyPress } from "../../src/tui/keymap.ts";
import { ProblemsOverlay } from "../../src/tui/ProblemsOverlay.tsx";
import { reduce } from "../../src/tui/reduce.ts";
import type { MonitorState } from "../../src/tui/state.ts";
import { deployment, loaded, run } from "./fixtures.ts";

const now = Date.now();
let unmounts: (() => void)[] = [];
afterEach(() => {
  for (const u of unmounts) u();
  unmounts = [];
});
const frame = (el: Parameters<typeof render>[0]) => {
  const r = render(el);
  unmounts.push(r.unmount);
  return r.lastFrame() ?? "";
};

const seven = Array.from(
  { length: 7 },
  (_, i) => `flows/etl.yaml:${i + 3}:5: problem number ${i + 1}`,
);
const PROBLEMS: ProblemsJson = {
  files: [
    { file: "flows/etl.yaml", problems: seven, at: "2026-01-01T00:00:00.000Z" },
    {
      file: "flows/other.yaml",
      problems: ["flows/other.yaml:1:1: bad"],
      at: "2026-01-01T00:00:00.000Z",
    },
  ],
  notices: [
    {
      id: 4,
      kind: "crashed",
      resource: "abcdef12-0000",
      message: "run abcdef12 of etl crashed: orch stopped while this run was RUNNING",
      at: "2026-01-01T00:00:00.000Z",
    },
  ],
};

function press(state: MonitorState, ...keys: (string | [string, KeyPress])[]) {
  const commands = [];
  let s = state;
  for (const k of keys) {
    const [input, key] = typeof k === "string" ? [k, {}] : k;
    const result = interpretKey(s, input, key);
    s = result.actions.reduce(reduce, s);
    if (result.command) commands.push(result.command);
  }
  return { state: s, commands };
}

describe("the problems pane", () => {
  test("lists every problem of every invalid file, and the start-up crashes", () => {
    const out = frame(h(ProblemsOverlay, { problems: PROBLEMS, top: 0, height: 20, cols: 120 }));
    expect(out).toContain("flows/etl.yaml (7 problems");
    for (const p of seven) expect(out).toContain(p);
    expect(out).toContain("flows/other.yaml:1:1: bad");
    expect(out).toContain("run abcdef12 of etl crashed");
  });

  test("! opens it, a acknowledges the notices, esc closes it; the last problem gone closes it", () => {
    const s = reduce(loaded([deployment("etl")], [run(1)]), {
      type: "problems",
      problems: PROBLEMS,
    });
    const opened = press(s, "!");
    expect(opened.state.overlay).toEqual({ kind: "problems", top: 0 });
    expect(press(opened.state, "a").commands).toEqual([{ type: "acknowledge", upTo: 4 }]);
    expect(press(opened.state, ["", { escape: true }]).state.overlay).toBeNull();
    const fixed = reduce(opened.state, { type: "problems", problems: { files: [], notices: [] } });
    expect(fixed.overlay).toBeNull();
  });

  test("the header counts files with problems and crashes, and says how long it has been reconnecting", () => {
    const out = frame(
      h(Header, {
        mode: "attach",
        server: { url: "http://127.0.0.1:4200", status: "offline", since: now - 12_000 },
        workers: [],
        counts: new Map(),
        problems: PROBLEMS,
        cols: 160,
        now,
      }),
    );
    expect(out).toContain("○ reconnecting 12s");
    expect(out).not.toContain("online");
    expect(out).toContain("! 2 invalid files · 1 crash");
  });
});

describe("what the monitor holds follows the server", () => {
  test("a deleted run leaves the list, the counts and the details it had open", () => {
    const planned = run(5, {
      state: "SCHEDULED",
      state_name: "Scheduled",
      started_at: null,
      created_by: "schedule",
    });
    let s = loaded([deployment("hello")], [planned, run(1)]);
    s = reduce(s, { type: "details", runId: planned.id });
    s = reduce(s, { type: "runsRemoved", ids: [planned.id] });
    expect(s.runs.byId.has(planned.id)).toBe(false);
    expect(s.runs.order).not.toContain(planned.id);
    expect(s.details).toBeNull();
  });

  test("a snapshot replaces everything held: runs the API no longer has are gone", () => {
    const old = run(1);
    const s = reduce(loaded([deployment("a")], [old]), {
      type: "snapshot",
      deployments: [deployment("b")],
      workers: [],
      runs: [run(2)],
      problems: { files: [], notices: [] },
    });
    expect(s.runs.byId.has(old.id)).toBe(false);
    expect(s.deployments.map((d) => d.name)).toEqual(["b"]);
  });

  test("offline keeps the time it was lost while it stays offline", () => {
    let s = loaded([], []);
    s = reduce(s, { type: "connection", status: "offline", at: 1000 });
    s = reduce(s, { type: "connection", status: "offline", at: 5000 });
    expect(s.server.since).toBe(1000);
    s = reduce(s, { type: "connection", status: "online" });
    expect(s.server.since).toBeUndefined();
  });

  test("a filter that matches nothing says so, with the filter", () => {
    const out = frame(
      h(DeploymentList, {
        deployments: [],
        runs: new Map(),
        selected: null,
        top: 0,
        height: 4,
        focused: true,
        cols: 100,
        now,
        loaded: true,
        filter: "completed",
      }),
    );
    expect(out).toContain("no deployments match `completed`");
    expect(out).not.toContain("add one to flows");
  });
});
