import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

// What `orch runs ls` keeps when its limit cuts a listing, through the compiled binary and a server.
const FLOWS = `deployments:
  - name: quick
    command: ["true"]
  - name: minutely
    command: ["true"]
    schedules:
      - interval: 1m
`;

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch>;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/all.yaml"), FLOWS);
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  await up.waitFor("orch is up at", 15_000);
});

afterAll(async () => {
  up.proc.kill("SIGTERM");
  await up.proc.exited;
  cleanup();
});

const run = (...args: string[]) => orch([...args, "--dir", dir]);

test("a listing cut at its limit says more runs match, and one that is whole says nothing", async () => {
  for (let i = 0; i < 3; i++) expect((await run("run", "quick", "--watch")).code).toBe(0);
  const cut = await run("runs", "ls", "--deployment", "quick", "--limit", "2");
  expect(cut.code).toBe(0);
  expect(cut.stdout.trim().split("\n")).toHaveLength(3);
  expect(cut.stderr).toContain("showing 2; more runs match: --limit N shows more");
  const whole = await run("runs", "ls", "--deployment", "quick", "--limit", "3");
  expect(whole.stdout.trim().split("\n")).toHaveLength(4);
  expect(whole.stderr).not.toContain("more runs match");
  // --json stays one document, with nothing said beside it.
  const json = await run("runs", "ls", "--deployment", "quick", "--limit", "2", "--json");
  expect(JSON.parse(json.stdout)).toHaveLength(2);
  expect(json.stderr).toBe("");
});

test("runs ls --planned --limit 3 lists the next three planned runs, not the furthest ones", async () => {
  const nextRuns = async (): Promise<string[]> =>
    JSON.parse((await run("deployments", "inspect", "minutely", "--json")).stdout).next_runs;
  // A slot may come due between two reads (a run a minute): the listing is read between two
  // looks at the deployment's next runs that agree, so both saw the same planned future.
  for (let tries = 0; ; tries++) {
    const next = await nextRuns();
    expect(next.length).toBeGreaterThan(3);
    const r = await run(
      "runs",
      "ls",
      "--planned",
      "--deployment",
      "minutely",
      "--limit",
      "3",
      "--json",
    );
    expect(r.code, r.stderr).toBe(0);
    const listed: { scheduled_at: string; state: string }[] = JSON.parse(r.stdout);
    if ((await nextRuns())[0] !== next[0] && tries < 3) continue;
    // Shown newest first, as every listing is: the soonest of the three comes last.
    expect(listed.map((x) => x.scheduled_at)).toEqual(next.slice(0, 3).reverse());
    expect(listed.every((x) => x.state === "SCHEDULED")).toBe(true);
    return;
  }
});
