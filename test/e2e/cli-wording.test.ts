import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { orch, projectServer, tempDir } from "../helpers.ts";

// How the CLI says small things, through the binary and a server: a retry in one line, a
// trigger's window, a run's tasks in columns, and a refused token with where it came from.
const FLOWS = `deployments:
  - name: fail
    command: ["sh", "-c", "exit 3"]
    include: []
  - name: pipeline
    flow: ./pipeline.ts
  - name: counted
    command: ["true"]
    include: []
    triggers:
      - on: custom.hit
        threshold: 2
        within: 10m
`;

const PIPELINE = `import { flow, task } from "orch";
const extract = task("extract", async () => 1);
const price = task("price", async () => { throw new Error("no price"); });
export default flow("pipeline", async () => {
  await extract();
  try { await price(); } catch {}
});
`;

let dir: string;
let cleanup: () => void;
const server = projectServer(() => dir);
const cli = (...args: string[]) => orch([...args, "--dir", dir]);

beforeAll(async () => {
  ({ dir, cleanup } = tempDir("orch-wording-"));
  await Bun.write(join(dir, "flows/all.yaml"), FLOWS);
  await Bun.write(join(dir, "flows/pipeline.ts"), PIPELINE);
  await server.start();
});

afterAll(async () => {
  await server.stop();
  cleanup();
});

test("runs retry says the new state and why in one line", async () => {
  const failed = await cli("run", "fail", "--watch", "--json");
  expect(failed.code).toBe(1);
  const { id } = JSON.parse(failed.stdout);
  const retried = await cli("runs", "retry", id);
  expect(retried.code, retried.stderr).toBe(0);
  expect(retried.stderr.trimEnd().split("\n")).toEqual([
    expect.stringMatching(new RegExp(`^✔ run ${id.slice(0, 8)} is SCHEDULED: retried by user$`)),
  ]);
});

test("runs inspect shows a run's tasks in columns, as its states", async () => {
  const done = await cli("run", "pipeline", "--watch", "--json");
  expect(done.code, done.stderr).toBe(0);
  const shown = await cli("runs", "inspect", JSON.parse(done.stdout).id);
  expect(shown.code, shown.stderr).toBe(0);
  const tasks = shown.stdout.split("\nTASKS\n")[1]!.split("\n\n")[0]!.split("\n");
  expect(tasks[0]).toBe("  extract  COMPLETED  attempts 1");
  expect(tasks[1]).toMatch(/^ {2}price {4}FAILED {5}attempts 1: .*no price/);
});

test("triggers ls shows a threshold trigger's window, then what it counted in it", async () => {
  const row = async () => {
    const listed = await cli("triggers", "ls", "--deployment", "counted");
    expect(listed.code, listed.stderr).toBe(0);
    return listed.stdout.split("\n").find((l) => l.startsWith("counted"))!;
  };
  expect(await row()).toMatch(/custom\.hit\s+2 in 10m\s+never/);
  expect((await cli("events", "emit", "custom.hit")).code).toBe(0);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const now = await row();
    if (/2 in 10m, 1 counted\s+never/.test(now)) break;
    if (Date.now() > deadline) throw new Error(`the event was never counted: ${now}`);
    await Bun.sleep(100);
  }
});

test("a refused token says where it came from and what to do, in the CLI's words", async () => {
  const env = await orch(["runs", "ls", "--dir", dir], { env: { ORCH_API_TOKEN: "stale" } });
  expect(env.code).toBe(2);
  expect(env.stderr).toContain("the API token from ORCH_API_TOKEN is not the token of orch at");
  expect(env.stderr).toContain("unset ORCH_API_TOKEN to use the project's .orch/token");
  expect(env.stderr).not.toContain("Authorization: Bearer");
  const flag = await cli("runs", "ls", "--token", "stale");
  expect(flag.code).toBe(2);
  expect(flag.stderr).toContain("the API token from --token is not the token of orch at");
  // The project's own token still works.
  expect((await cli("runs", "ls")).code).toBe(0);
});
