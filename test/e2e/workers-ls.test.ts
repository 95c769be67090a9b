import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Client, createClient, type WorkerJson } from "../../src/client/index.ts";
import { orch, spawnOrch, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

const held = createMarker("workers-ls");
let project: { dir: string; cleanup: () => void };
let elsewhere: { dir: string; cleanup: () => void };
let up: ReturnType<typeof spawnOrch>;
const workers: ReturnType<typeof spawnOrch>[] = [];
let client: Client;

beforeAll(async () => {
  project = tempDir("orch-workers-ls-");
  elsewhere = tempDir("orch-workers-ls-b-");
  await Bun.write(
    join(project.dir, "flows/held.yaml"),
    `deployments:\n  - name: held\n    command: ["sh", "-c", "echo started; sleep 41"]\n    ${held.yaml}\n`,
  );
  up = spawnOrch(["up", "--headless", "--port", "0", "--no-worker", "--dir", project.dir]);
  await up.waitFor("orch is up at", 15_000);
  const { url } = JSON.parse(readFileSync(join(project.dir, ".orch/server.json"), "utf8")) as {
    url: string;
  };
  const token = readFileSync(join(project.dir, ".orch/token"), "utf8").trim();
  client = createClient({ url, token });
  // Two workers on one machine, neither named.
  for (let i = 0; i < 2; i++) {
    const worker = spawnOrch(["worker", "--pool", "default", "--api", url], {
      cwd: elsewhere.dir,
      env: { ORCH_API_TOKEN: token },
    });
    workers.push(worker);
    await worker.waitFor("takes runs of pool default", 15_000);
  }
});

afterAll(async () => {
  for (const w of workers) w.proc.kill("SIGKILL");
  up?.proc.kill("SIGTERM");
  await Promise.all([...workers.map((w) => w.proc.exited), up?.proc.exited]);
  held.kill();
  project?.cleanup();
  elsewhere?.cleanup();
});

const listed = async (): Promise<WorkerJson[]> => {
  const r = await orch(["workers", "ls", "--json", "--dir", project.dir]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as WorkerJson[];
};

test("orch workers ls tells two unnamed workers on one machine apart, and shows the runs each holds", async () => {
  const before = await listed();
  expect(before).toHaveLength(2);
  // Each is named after its process, which its listing shows too.
  for (const w of before) expect(w.name).toBe(`remote-${w.pid}`);
  expect(new Set(before.map((w) => w.name)).size).toBe(2);
  expect(before.map((w) => w.pid).sort()).toEqual(workers.map((w) => w.proc.pid).sort());
  expect(before.every((w) => w.runs === 0 && w.status === "online")).toBe(true);

  const run = await client.triggerRun("held");
  await held.appeared(15_000);
  const deadline = Date.now() + 10_000;
  let holding: WorkerJson | undefined;
  while (!holding) {
    holding = (await listed()).find((w) => w.runs === 1);
    if (!holding && Date.now() > deadline) throw new Error("no worker lists the run it holds");
    await Bun.sleep(50);
  }
  const detail = await client.getRun(run.id);
  expect(detail.worker).toBe(holding.id);

  const text = await orch(["workers", "ls", "--dir", project.dir]);
  expect(text.stdout).toMatch(/NAME\s+POOL\s+HOST\s+STATUS\s+LAST HEARTBEAT\s+RUNS NOW/);
  expect(text.stdout).toMatch(new RegExp(`${holding.name}\\s+default\\s+.*online\\s+.*ago\\s+1/8`));
  await client.cancelRun(run.id);
});
