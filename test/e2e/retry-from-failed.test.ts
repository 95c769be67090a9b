import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Client, createClient, type RunDetail } from "../../src/client/index.ts";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

// Retry from the failure, through the compiled binary with no Bun on PATH: a real server, its
// embedded worker, and a remote worker in another folder that reaches the results through the API.
const NO_BUN = { PATH: "/usr/local/bin:/usr/bin:/bin" };

const FLOWS = `deployments:
  - name: etl
    flow: ./etl.ts
  - name: etl-remote
    flow: ./etl.ts
    work_pool: remote
  - name: fixable
    flow: ./fixable.ts
`;

// A flow whose bug is in its code: the fix is a new version. fetch's code stays as it is; price's
// changes with the fix (so its kept result is not the fixed code's); transform is the bug.
const fixable = (fixed: boolean) => `import { appendFileSync } from "node:fs";
import { flow, task } from "orch";
const trace = (dir: string, what: string) =>
  appendFileSync(dir + "/trace.txt", what + " " + process.env.ORCH_ATTEMPT + "\\n");
const fetchRows = task("fetch", (dir: string) => {
  trace(dir, "fetch");
  return [1, 2, 3];
});
const price = task("price", (dir: string, rows: number[]) => {
  trace(dir, "price");
  return rows.map((r) => r * ${fixed ? 20 : 10});
});
const transform = task("transform", (dir: string, prices: number[]) => {
  trace(dir, "transform");
  ${fixed ? "" : 'throw new Error("transform is broken");'}
  return prices.reduce((a, b) => a + b, 0);
});
export default flow("fixable", async ({ dir }: { dir: string }) => {
  const rows = await fetchRows(dir);
  return await transform(dir, await price(dir, rows));
});
`;

// Each task writes what it ran (and in which attempt) to a trace file: what was reused never ran.
// fetch returns about 60 kB, over the inline cap: its result lives in a file under .orch/results.
// enrich's inputs come from a file the flow reads, so they change when the file does.
// transform fails while the "broken" file exists.
const ETL = `import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { flow, task } from "orch";
const trace = (dir: string, what: string) =>
  appendFileSync(dir + "/trace.txt", what + " " + process.env.ORCH_ATTEMPT + "\\n");
const fetchRows = task("fetch", (dir: string, day: string) => {
  trace(dir, "fetch");
  return Array.from({ length: 2000 }, (_, n) => ({ day, n, note: "row of the day" }));
});
const enrich = task("enrich", (dir: string, rows: { n: number }[], rules: string) => {
  trace(dir, "enrich:" + rules);
  return rows.map((r) => r.n * 2);
});
const transform = task("transform", (dir: string, values: number[]) => {
  trace(dir, "transform");
  if (existsSync(dir + "/broken")) throw new Error("transform is broken");
  return values.reduce((a, b) => a + b, 0);
});
const load = task("load", (dir: string, total: number) => {
  trace(dir, "load");
  return total;
});
export default flow("etl", async ({ dir, day }: { dir: string; day: string }) => {
  const rows = await fetchRows(dir, day);
  const rules = readFileSync(dir + "/rules.txt", "utf8").trim();
  const values = await enrich(dir, rows, rules);
  const total = await transform(dir, values);
  return await load(dir, total);
});
`;

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch>;
let client: Client;
let elsewhere: { dir: string; cleanup: () => void };
let worker: ReturnType<typeof spawnOrch>;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/etl.yaml"), FLOWS);
  await Bun.write(join(dir, "flows/etl.ts"), ETL);
  await Bun.write(join(dir, "flows/fixable.ts"), fixable(false));
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir], { env: NO_BUN });
  await up.waitFor("orch is up at");
  const { url } = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8"));
  const token = readFileSync(join(dir, ".orch/token"), "utf8").trim();
  client = createClient({ url, token });
  elsewhere = tempDir("orch-elsewhere-");
  worker = spawnOrch(["worker", "--pool", "remote", "--api", url, "--token", token], {
    cwd: elsewhere.dir,
    env: NO_BUN,
  });
  await worker.waitFor("takes runs of pool remote", 15_000);
});

afterAll(async () => {
  worker.proc.kill("SIGTERM");
  up.proc.kill("SIGTERM");
  await Promise.all([worker.proc.exited, up.proc.exited]);
  elsewhere.cleanup();
  cleanup();
});

const cli = (...args: string[]) => orch([...args, "--dir", dir], { env: NO_BUN });

async function waitForEnd(id: string, attempt: number): Promise<RunDetail> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const run = await client.getRun(id);
    const ended = ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"].includes(run.state);
    if (ended && run.attempt === attempt) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is still ${run.state}`);
    await Bun.sleep(50);
  }
}

/** A work folder for one scenario: rules v1, transform broken. */
function workFolder(name: string): string {
  const work = join(dir, name);
  rmSync(work, { recursive: true, force: true });
  Bun.spawnSync(["mkdir", "-p", work]);
  writeFileSync(join(work, "rules.txt"), "v1\n");
  writeFileSync(join(work, "broken"), "");
  return work;
}

const traced = (work: string) => readFileSync(join(work, "trace.txt"), "utf8").trim().split("\n");

/** The task runs of one attempt as name and state name. */
const tasksOf = (run: RunDetail, attempt: number) =>
  run.tasks.filter((t) => t.run_attempt === attempt).map((t) => `${t.name} ${t.state_name}`);

describe.each(["etl", "etl-remote"])("orch runs retry --from-failed (%s)", (deployment) => {
  test("reuses what completed with the same inputs, runs again the task whose inputs changed, the failed task and what follows", async () => {
    const work = workFolder(`work-${deployment}`);
    const first = await client.triggerRun(deployment, { parameters: { dir: work, day: "d1" } });
    const failed = await waitForEnd(first.id, 1);
    expect(failed.state).toBe("FAILED");
    expect(tasksOf(failed, 1)).toEqual(["fetch Completed", "enrich Completed", "transform Failed"]);
    expect(traced(work)).toEqual(["fetch 1", "enrich:v1 1", "transform 1"]);

    // The author fixes what broke, and a rule changes: enrich's inputs are not the same now.
    rmSync(join(work, "broken"));
    writeFileSync(join(work, "rules.txt"), "v2\n");
    const retried = await cli("runs", "retry", failed.id.slice(0, 8), "--from-failed");
    expect(retried.code).toBe(0);
    expect(retried.stderr).toContain("from the failed task");
    expect(retried.stderr).toContain("results of 2 completed task runs of attempt 1 to reuse");

    const done = await waitForEnd(failed.id, 2);
    expect(done.state).toBe("COMPLETED");
    // fetch did not run again (its 60 kB result came from its file); enrich did, with v2.
    expect(traced(work)).toEqual([
      "fetch 1",
      "enrich:v1 1",
      "transform 1",
      "enrich:v2 2",
      "transform 2",
      "load 2",
    ]);
    expect(tasksOf(done, 2)).toEqual([
      "fetch Reused",
      "enrich Completed",
      "transform Completed",
      "load Completed",
    ]);
    // The reused rows were the real ones: 2 * (0 + 1 + … + 1999).
    expect((await client.getResult(done.id)).value).toBe(1999 * 2000);
    expect((await client.getResult(done.id, "fetch#2")).size).toBeGreaterThan(16 * 1024);

    // runs inspect shows the task list by attempt, with the reused result.
    const shown = (await cli("runs", "inspect", done.id)).stdout;
    expect(shown).toMatch(/attempt 1\n\s+fetch\s+COMPLETED\s+attempts 1/);
    expect(shown).toMatch(/attempt 2\n\s+fetch\s+COMPLETED \(Reused\)/);

    // A plain retry runs every task again.
    expect((await cli("runs", "retry", done.id)).code).toBe(0);
    const again = await waitForEnd(done.id, 3);
    expect(again.state).toBe("COMPLETED");
    expect(tasksOf(again, 3)).toEqual([
      "fetch Completed",
      "enrich Completed",
      "transform Completed",
      "load Completed",
    ]);
    expect(traced(work).slice(6)).toEqual(["fetch 3", "enrich:v2 3", "transform 3", "load 3"]);
  });
});

test("--from-failed on a run that completed says there is nothing to go on from", async () => {
  const runs = await client.listRuns({ deployment: "etl", state: "COMPLETED" });
  const r = await cli("runs", "retry", runs.runs[0]!.id, "--from-failed");
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("no task failed");
  expect(r.stderr).toContain("without --from-failed");
});

test("a fix saved as a new version: --from-failed runs the fixed code, reusing only tasks whose code and inputs are the same; --own-version runs the old code", async () => {
  const work = workFolder("work-fixable");
  const first = await client.triggerRun("fixable", { parameters: { dir: work } });
  const failed = await waitForEnd(first.id, 1);
  expect(failed.state).toBe("FAILED");
  expect(failed.version).toBe(1);

  // The author fixes transform (and changes price) in the flow's file: version 2.
  await Bun.write(join(dir, "flows/fixable.ts"), fixable(true));
  const deadline = Date.now() + 30_000;
  while ((await client.getDeployment("fixable")).version !== 2) {
    if (Date.now() > deadline) throw new Error("fixable was not redeployed");
    await Bun.sleep(50);
  }
  const retried = await cli("runs", "retry", failed.id.slice(0, 8), "--from-failed");
  expect(retried.code).toBe(0);
  expect(retried.stderr).toContain("on v2, fixable's active version (the run ran v1)");
  const done = await waitForEnd(failed.id, 2);
  expect(done.state).toBe("COMPLETED");
  expect(done.version).toBe(2);
  // fetch's code and inputs are the same: reused. price's code changed: it ran again.
  expect(tasksOf(done, 2)).toEqual(["fetch Reused", "price Completed", "transform Completed"]);
  expect((await client.getResult(done.id)).value).toBe(120);
  expect(traced(work)).toEqual(["fetch 1", "price 1", "transform 1", "price 2", "transform 2"]);
  // The history says which version the retry ran, and each attempt keeps the version it ran.
  const shown = (await cli("runs", "inspect", done.id)).stdout;
  expect(shown).toContain("on v2, fixable's active version (the run ran v1)");
  expect(shown).toMatch(/ATTEMPTS\n {2}1 {2}v1 .*started .*\n {2}2 {2}v2 .*started /);
  const json = JSON.parse((await cli("runs", "inspect", done.id, "--json")).stdout) as RunDetail;
  expect(json.attempts.map((a) => [a.attempt, a.version])).toEqual([
    [1, 1],
    [2, 2],
  ]);
  expect(json.version).toBe(2);
  expect((await client.getRun(done.id)).attempts).toEqual(json.attempts);

  // The old code on request: a run of v1 retried with --own-version fails as it did.
  const old = await cli("run", "fixable", "--version", "1", "-p", `dir=${work}`, "--json");
  const oldRun = await waitForEnd(JSON.parse(old.stdout).id, 1);
  expect(oldRun.state).toBe("FAILED");
  const own = await cli("runs", "retry", oldRun.id, "--from-failed", "--own-version");
  expect(own.code).toBe(0);
  expect(own.stderr).toContain("on v1, its own version (fixable is at v2)");
  const again = await waitForEnd(oldRun.id, 2);
  expect(again.state).toBe("FAILED");
  expect(again.version).toBe(1);
  expect(again.attempts.map((a) => a.version)).toEqual([1, 1]);
  expect(tasksOf(again, 2)).toEqual(["fetch Reused", "price Reused", "transform Failed"]);
});
