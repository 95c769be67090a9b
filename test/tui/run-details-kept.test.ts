import { expect, test } from "vitest";
import type { RunDetail } from "../../src/client/index.ts";
import { run, runDetailsFrame } from "./fixtures.ts";

const now = Date.now();

function details(extra: Pick<RunDetail, "result" | "artifacts">): string {
  return runDetailsFrame({ ...run(1), states: [], attempts: [], tasks: [], ...extra }, { now });
}

test("run details show what the run kept: its result, and its artifacts by key and type", () => {
  const out = details({
    result: { value: { total: 14 }, size: 12, file: null },
    artifacts: [
      { key: "squares", type: "table", description: null, task: null },
      { key: "summary", type: "markdown", description: null, task: "describe" },
    ],
  });
  expect(out).toMatch(/result\s+\{"total":14\}/);
  expect(out).toMatch(/artifacts\s+squares \(table\), summary \(markdown\)$/m);
});

test("a result kept in a file is shown by its size, one not kept by why; no artifacts says so", () => {
  const inFile = details({ result: { size: 120_000, file: "results/ab.json" }, artifacts: [] });
  expect(inFile).toMatch(/result\s+120\.0 kB \(orch runs result [0-9a-f]{8}\)/);
  expect(inFile).toMatch(/artifacts\s+none/);
  const refused = details({
    result: { problem: "too big\u001b[2J", size: 0, file: null },
    artifacts: [],
  });
  expect(refused).toMatch(/result\s+not kept: too big\\x1b\[2J/);
});

test("run details say which trigger started a run, and which webhook fired it", () => {
  const render1 = (extra: Partial<RunDetail>) =>
    runDetailsFrame(
      { ...run(1), states: [], attempts: [], tasks: [], result: null, artifacts: [], ...extra },
      { cols: 140, now },
    );
  expect(
    render1({
      created_by: "trigger",
      triggered_by: {
        deployment: "ship",
        trigger: "on-push",
        event: "webhook.github",
        event_id: 42,
        webhook: "github",
      },
    }),
  ).toMatch(/started by\s+on-push of ship, on webhook github #42/);
  expect(render1({ created_by: "schedule", triggered_by: null })).toMatch(/started by\s+schedule/);
});
