import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { createClient, findServer } from "../../src/client/index.ts";
import { projectPaths } from "../../src/core/index.ts";
import { spawnOrch, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** A project whose one deployment runs on pool box2 (no embedded worker takes it). */
function project(command: string) {
  const t = tempDir("orch-restarts-");
  cleanups.push(t.cleanup);
  const marker = createMarker("restarts");
  cleanups.push(() => marker.kill());
  mkdirSync(join(t.dir, "flows"));
  writeFileSync(
    join(t.dir, "flows/r.yaml"),
    `work_pools:\n  - name: box2\ndeployments:\n  - name: rem\n    command: ["sh", "-c", "${command}"]\n    work_pool: box2\n    ${marker.yaml}\n`,
  );
  return t.dir;
}

/** Start a process of orch, stopped (kill -9) at the end of the test if still there. */
function start(args: string[]) {
  const p = spawnOrch(args);
  cleanups.push(async () => {
    if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill("SIGKILL");
    await p.proc.exited;
  });
  return p;
}

async function serverOf(dir: string) {
  const target = findServer(projectPaths(dir), {}, {});
  if (!target) throw new Error("no server.json");
  return { url: target.url, client: createClient(target) };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>) {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await Bun.sleep(50)) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
  }
  throw new Error(`timed out waiting until ${what}`);
}

test("one SIGTERM stops a remote worker whose server is gone, within its grace, saying where what it owes waits", async () => {
  const dir = project("echo started; sleep 30");
  const up = start(["up", "--headless", "--port", "0", "--dir", dir]);
  await up.waitFor("orch is up at", 15_000);
  const { url, client } = await serverOf(dir);
  const elsewhere = tempDir("orch-worker-");
  cleanups.push(elsewhere.cleanup);
  const token = join(elsewhere.dir, "token");
  await Bun.write(token, readFileSync(join(dir, ".orch/token")));
  const worker = start(
    ["worker", "--pool", "box2", "--api", url, "--token-file", token, "--grace", "1s"].concat([
      "--dir",
      elsewhere.dir,
    ]),
  );
  await worker.waitFor("takes runs of pool box2", 15_000);
  const run = await client.triggerRun("rem");
  await until("the run RUNNING", async () => (await client.getRun(run.id)).state === "RUNNING");
  up.proc.kill("SIGKILL");
  await up.proc.exited;
  await worker.waitFor("lost orch at", 15_000);
  expect(worker.stderr).toMatch(/cannot know it .*start it again with the new --api/);
  const asked = Date.now();
  worker.proc.kill("SIGTERM");
  await worker.proc.exited;
  // Its grace (1s) for the run, then 1s more for orch to answer, and a little to leave.
  expect(Date.now() - asked).toBeLessThan(8_000);
  expect(worker.stderr).toMatch(
    /leaving without delivering \d+ .*has not answered for 1s; they are kept in .*\/reports\/.*\.jsonl and sent by the next worker started with this folder/,
  );
});

test("a worker on the server's project follows orch to its new port after a restart", async () => {
  const dir = project("echo started; sleep 2; echo done");
  const first = start(["up", "--headless", "--port", "0", "--dir", dir]);
  await first.waitFor("orch is up at", 15_000);
  const { url, client } = await serverOf(dir);
  const worker = start(
    ["worker", "--pool", "box2", "--api", url, "--token-file", join(dir, ".orch/token")].concat([
      "--dir",
      dir,
    ]),
  );
  await worker.waitFor("takes runs of pool box2", 15_000);
  const run = await client.triggerRun("rem");
  await until("the run RUNNING", async () => (await client.getRun(run.id)).state === "RUNNING");
  first.proc.kill("SIGKILL");
  await first.proc.exited;
  const second = start(["up", "--headless", "--port", "0", "--dir", dir]);
  await second.waitFor("orch is up at", 15_000);
  const now = await serverOf(dir);
  expect(now.url).not.toBe(url);
  const done = await until("the run COMPLETED", async () => {
    const r = await now.client.getRun(run.id);
    return r.state === "COMPLETED" && r;
  });
  expect(done.attempt).toBe(1);
  expect(worker.stderr).toContain(`orch is at ${new URL(now.url).origin} now`);
});

test("a worker for a pool no definition declares and no deployment runs in warns, with a guess", async () => {
  const dir = project("true");
  const up = start(["up", "--headless", "--port", "0", "--dir", dir]);
  await up.waitFor("orch is up at", 15_000);
  const token = join(dir, ".orch/token");
  const { url } = await serverOf(dir);
  const typo = start(["worker", "--pool", "box3", "--api", url, "--token-file", token]);
  await typo.waitFor("no definition declares pool box3 and no deployment runs in it", 15_000);
  expect(typo.stderr).toContain("(did you mean box2?): this worker takes no runs until one does");
  const right = start(["worker", "--pool", "box2", "--api", url, "--token-file", token]);
  await right.waitFor("takes runs of pool box2", 15_000);
  // The typo's warning came within a moment of its start: the right one has had as long.
  await typo.waitFor("takes runs of pool box3");
  expect(right.stderr).not.toContain("no definition declares");
});
