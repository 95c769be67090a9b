import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { RunDetail } from "../../src/client/index.ts";
import { orch, projectServer, tempDir } from "../helpers.ts";

// What a new user met, each through the compiled binary as they did.
const FLOWS = `deployments:
  - name: daily
    command: ["echo", "{{ parameters.day }}"]
    parameters: { day: "2026-01-01" }
    parameter_schema:
      type: object
      properties:
        day: { type: string, pattern: "^\\\\d{4}-\\\\d{2}-\\\\d{2}$" }
  - name: notify
    command: 'echo "run=$ORCH_PARAM_run limit=$ORCH_PARAM_limit"'
    parameters: { run: "", limit: 5 }
    include: []
  - name: steps
    flow: ./steps.ts
`;
const STEPS = `import { existsSync } from "node:fs";
import { flow, task } from "orch";
const fetch = task("fetch", () => 3);
const load = task("load", (n: number, marker: string) => {
  if (existsSync(marker)) throw new Error("load is broken");
  return n;
});
export default flow("steps", async ({ marker }: { marker: string }) => load(await fetch(), marker));
`;

let dir: string;
let cleanup: () => void;
const server = projectServer(() => dir);
const cli = (...args: string[]) => orch([...args, "--dir", dir]);

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/all.yaml"), FLOWS);
  await Bun.write(join(dir, "flows/steps.ts"), STEPS);
  await server.start();
});

afterAll(async () => {
  await server.stop();
  cleanup();
});

test("a value its schema's pattern refuses is told with the pattern", async () => {
  const r = await cli("run", "daily", "-p", "day=2026/01/01");
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('parameters.day: must match ^\\d{4}-\\d{2}-\\d{2}$, not "2026/01/01"');
});

test("a command reads $ORCH_PARAM_x of a parameter no placeholder names", async () => {
  const r = await cli("run", "notify", "-p", "run=2eac58a7", "--watch");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("run=2eac58a7 limit=5");
});

test("after a retry from the failed task, the start shown is the retry's, named as its attempt", async () => {
  const marker = join(dir, "broken");
  await Bun.write(marker, "");
  const first = JSON.parse(
    (await cli("run", "steps", "-p", `marker=${marker}`, "--watch", "--json")).stdout,
  ) as RunDetail;
  expect(first.state).toBe("FAILED");
  rmSync(marker);
  const retried = await cli("runs", "retry", first.id, "--from-failed", "--watch");
  expect(retried.code).toBe(0);

  const run = JSON.parse((await cli("runs", "inspect", first.id, "--json")).stdout) as RunDetail;
  const starts = run.states.filter(
    (s, i) => s.type === "RUNNING" && run.states[i - 1]?.type === "PENDING",
  );
  expect(starts).toHaveLength(2);
  // started_at is attempt 2's start (the retry begins the run afresh): the line must say so.
  expect(run.started_at).toBe(starts[1]!.at);
  const text = (await cli("runs", "inspect", first.id)).stdout;
  expect(text).toMatch(/started\s+.*\(attempt 2\)/);
  expect(text).not.toContain("(attempt 1)");
});
