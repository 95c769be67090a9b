import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Client, createClient } from "../../src/client/index.ts";
import { spawnOrch, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

// Declaring a pool (here only to set its concurrency) does not make orch up run its jobs: a
// definition asks for that (embedded_worker), and a pool no file declares any more stops being
// declared, and its embedded worker goes.
const gpu = createMarker("gpu");
const JOBS = `deployments:
  - name: on-gpu
    command: ["sh", "-c", "echo on the gpu"]
    work_pool: gpu
    ${gpu.yaml}
`;
const pools = (extra: string) => `work_pools:
  - name: gpu
    concurrency: 2
${extra}`;

let project: { dir: string; cleanup: () => void };
let up: ReturnType<typeof spawnOrch>;
let client: Client;

interface Listed {
  name: string;
  pool: string;
}
interface Pool {
  name: string;
  defined: boolean;
  concurrency: number | null;
  workers: number;
  runs_waiting: number;
}

async function start() {
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", project.dir]);
  await up.waitFor("orch is up at", 15_000);
  const url = JSON.parse(readFileSync(join(project.dir, ".orch/server.json"), "utf8")).url;
  const token = readFileSync(join(project.dir, ".orch/token"), "utf8").trim();
  client = createClient({ url, token });
}
async function stop() {
  up.proc.kill("SIGTERM");
  await up.proc.exited;
}
const servedPools = async () =>
  (await client.request<Listed[]>("GET", "/api/workers")).map((w) => w.pool).sort();
async function until(what: string, check: () => Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

beforeAll(async () => {
  project = tempDir("orch-pools-");
  await Bun.write(join(project.dir, "flows/jobs.yaml"), JOBS);
  await Bun.write(join(project.dir, "flows/pools.yaml"), pools(""));
  await start();
});
afterAll(async () => {
  await stop();
  gpu.kill();
  project.cleanup();
});

test("a declared pool runs in orch up only when its definition says embedded_worker; once no file declares it, it is undeclared and its worker goes", async () => {
  // Declared for its limit only: orch up serves default alone, and the run waits for a worker.
  expect(await servedPools()).toEqual(["default"]);
  const run = await client.triggerRun("on-gpu");
  const waiting = await client.request<Pool>("GET", "/api/pools/gpu");
  expect(waiting).toMatchObject({ defined: true, concurrency: 2, workers: 0, runs_waiting: 1 });
  expect((await client.getRun(run.id)).state).toBe("SCHEDULED");

  // Asked for: orch up runs the pool's jobs itself.
  await Bun.write(join(project.dir, "flows/pools.yaml"), pools("    embedded_worker: true\n"));
  await until("an embedded worker for gpu", async () => (await servedPools()).includes("gpu"));
  await until(
    "the run to complete",
    async () => (await client.getRun(run.id)).state === "COMPLETED",
  );

  // No file declares it any more: it is undeclared (its deployment still uses it) and its
  // worker goes.
  rmSync(join(project.dir, "flows/pools.yaml"));
  await until("the gpu worker to go", async () => !(await servedPools()).includes("gpu"));
  expect(await client.request<Pool>("GET", "/api/pools/gpu")).toMatchObject({
    defined: false,
    concurrency: null,
    workers: 0,
  });
  // Nor after a restart.
  await stop();
  await start();
  expect(await servedPools()).toEqual(["default"]);
  // Once nothing uses it, it is not listed at all.
  rmSync(join(project.dir, "flows/jobs.yaml"));
  await until(
    "the pool to go from the listing",
    async () => !(await client.request<Pool[]>("GET", "/api/pools")).some((p) => p.name === "gpu"),
  );
});
