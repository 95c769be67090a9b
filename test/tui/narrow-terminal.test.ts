import { render } from "ink-testing-library";
import { createElement as h } from "react";
import { afterEach, describe, expect, test } from "vitest";
import { textWidth } from "../../src/tui/format.ts";
import { Monitor } from "../../src/tui/Monitor.tsx";
import { createMonitorStore } from "../../src/tui/monitor-store.ts";
import { deployment, run } from "./fixtures.ts";

// The monitor on an 80x24 terminal (and 120x30) with names longer than their columns: every
// line fits the terminal, a cut cell ends in an ellipsis with a blank column before the next,
// wide characters keep the columns aligned, and the selected run's panes stay readable.

const LONG = "nightly-warehouse-export-to-the-analytics-bucket-eu-west";
const OTHER = "a-second-deployment-with-an-extremely-long-name-that-never-ends";
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

let stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops) stop();
  stops = [];
});

/** Problems longer than a line of the terminal, the last one ending in a word to look for. */
const LONG_PROBLEMS = Array.from(
  { length: 12 },
  (_, i) =>
    `flows/warehouse/nightly-export.yaml:${i + 3}:15: no secret named "warehouse_api_key_${i}"; set it with orch secrets set warehouse_api_key_${i}${i === 11 ? " LASTWORD" : ""}`,
);

/** The monitor drawn on a terminal of `cols` x `rows`, with long names and a wide run name. */
async function monitorAt(cols: number, rows: number) {
  const store = createMonitorStore({ mode: "attach" });
  const runs = [
    run(4, { deployment: "short", name: "名前-日本語-run-name-long" }),
    run(3, { deployment: OTHER, state_message: "exited with code 0 after a very long time" }),
    run(2, {
      deployment: LONG,
      state: "FAILED",
      state_name: "Failed",
      exit_code: 3,
      state_message: "exited with code 3: the bucket refused the upload of the export",
    }),
    run(1, { deployment: "short" }),
  ];
  store.dispatch({
    type: "snapshot",
    deployments: [
      deployment(LONG, {
        schedules: [
          {
            cron: "0 2 * * *",
            timezone: "Europe/Berlin",
            description: "every day at 02:00, Europe/Berlin",
            active: true,
          } as never,
        ],
      }),
      deployment(OTHER),
      deployment("short"),
    ],
    workers: [],
    runs,
    problems: {
      files: [
        {
          file: "flows/warehouse/nightly-export.yaml",
          problems: LONG_PROBLEMS,
          at: "2026-01-01T00:00:00.000Z",
        },
      ],
      notices: [],
    },
  });
  const r = render(h(Monitor, { store }));
  stops.push(() => {
    r.unmount();
    store.stop();
  });
  Object.defineProperty(r.stdout, "columns", { value: cols, configurable: true });
  Object.defineProperty(r.stdout, "rows", { value: rows, configurable: true });
  r.stdout.emit("resize");
  const frame = async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return (r.lastFrame() ?? "").replace(ANSI, "").split("\n");
  };
  /** The frame once `ready` holds of it (and of the state), polled for up to 5 s. */
  const frameWhen = async (ready: (lines: string[]) => boolean) => {
    const deadline = Date.now() + 5000;
    let lines = await frame();
    while (!ready(lines) && Date.now() < deadline) lines = await frame();
    return lines;
  };
  for (let i = 0; i < 50 && store.getState().size.cols !== cols; i++) await frame();
  expect(store.getState().size).toEqual({ cols, rows });
  return { frame, frameWhen, stdin: r.stdin, store, runs };
}

/** Where `text` starts in `line`, in terminal columns. */
const columnOf = (line: string, text: string) => textWidth(line.slice(0, line.indexOf(text)));

/** Every line fits the terminal, and no cut cell runs into the next one. */
function expectTidy(lines: string[], cols: number, rows: number) {
  expect(lines.length).toBeLessThanOrEqual(rows);
  for (const line of lines) {
    expect(textWidth(line), line).toBeLessThanOrEqual(cols);
    expect(line, "a cut cell runs into the next").not.toMatch(/…[^\s─]/);
  }
}

describe.each([
  [80, 24],
  [120, 30],
])("a %ix%i terminal", (cols, rows) => {
  test("deployments and runs keep their columns: names cut with an ellipsis, wide characters aligned", async () => {
    const { frame } = await monitorAt(cols, rows);
    const lines = await frame();
    expectTidy(lines, cols, rows);
    const row = (text: string) =>
      lines.find((l) => l.includes(text) && /COMPLETED|FAILED/.test(l))!;
    // The long names are cut, each with a blank column before the next cell.
    expect(row(LONG.slice(0, 12))).toMatch(/nightly-wareh[\w-]*… /);
    expect(lines.join("\n")).not.toContain(LONG);
    // Every run row's state starts in the same column, the wide run name's too.
    const runRows = lines.filter((l) => /^[›· ] [0-9a-f]{8}-?\w* /.test(l));
    expect(runRows).toHaveLength(4);
    const states = runRows.map((l) => columnOf(l, l.includes("FAILED") ? "FAILED" : "COMPLETED"));
    expect(new Set(states).size).toBe(1);
    expect(runRows.find((l) => l.includes("名前"))).toMatch(/short · 名前[^ ]*…? +COMPLETED/);
  });

  test("the selected run's panes keep their notes and facts readable", async () => {
    const { frame, frameWhen, stdin, store, runs } = await monitorAt(cols, rows);
    // Select the failed run of the long deployment: its log pane's title is cut, its note stays.
    const first = store.getState().selectedRun;
    stdin.write("j");
    await frameWhen(() => store.getState().selectedRun !== first);
    stdin.write("j");
    let lines = await frameWhen(
      (l) => store.getState().selectedRun === runs[2]!.id && l.some((x) => x.startsWith("── Logs")),
    );
    expect(store.getState().selectedRun).toBe(runs[2]!.id);
    const logTitle = lines.find((l) => l.startsWith("── Logs"))!;
    expect(logTitle).toBeDefined();
    expect(textWidth(logTitle)).toBe(cols);
    expectTidy(lines, cols, rows);
    // Its details: each fact cut before the right half, with a gap before the timeline.
    stdin.write("\r");
    for (let i = 0; i < 50 && !lines.some((l) => l.startsWith("── Run ")); i++)
      lines = await frame();
    expectTidy(lines, cols, rows);
    const facts = lines.find((l) => l.startsWith("deployment "))!;
    expect(facts).toMatch(/^deployment +(nightly|a-second|short)/);
    for (const fact of ["parameters", "duration", "exit code"])
      expect(lines.some((l) => l.startsWith(`${fact} `))).toBe(true);
  });

  test("the problems pane wraps long problems within the terminal and scrolls to the last line", async () => {
    const { frameWhen, stdin } = await monitorAt(cols, rows);
    stdin.write("!");
    let lines = await frameWhen((l) => l.some((x) => x.startsWith("── Problems")));
    expect(lines.some((l) => l.startsWith("── Problems"))).toBe(true);
    expectTidy(lines, cols, rows);
    // Page down to the end: the last problem's last words come into view.
    for (let i = 0; i < 6; i++) {
      const before = lines.join("\n");
      stdin.write(" ");
      lines = await frameWhen(
        (l) => l.join("\n") !== before || /warehouse_api_key_11\s+LASTWORD/.test(l.join("\n")),
      );
    }
    expectTidy(lines, cols, rows);
    expect(lines.join("\n")).toMatch(/warehouse_api_key_11\s+LASTWORD/);
  });
});
