import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { orch, spawnOrch, tempDir } from "../helpers.ts";
import { waitForState } from "./helpers.ts";

// No daemon needed: DOCKER_HOST names a socket nobody serves.
let project: ReturnType<typeof tempDir>;
let up: ReturnType<typeof spawnOrch>;

beforeAll(async () => {
  project = tempDir("orch-nodocker-");
  await Bun.write(
    join(project.dir, "flows/docker.yaml"),
    `work_pools:
  - name: boxes
    type: docker
    embedded_worker: true
    job: { image: "debian:12" }
deployments:
  - name: boxed
    command: ["true"]
    work_pool: boxes
`,
  );
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", project.dir], {
    env: { DOCKER_HOST: `unix://${join(project.dir, "no-docker.sock")}` },
  });
  await up.waitFor("orch is up at", 20_000);
});

afterAll(async () => {
  up?.proc.kill("SIGTERM");
  await up?.proc.exited;
  project?.cleanup();
});

test("a docker pool whose daemon cannot be reached warns at start and fails its runs saying why", async () => {
  const socket = join(project.dir, "no-docker.sock");
  expect(up.stderr).toContain(
    `work pool boxes (docker): the Docker daemon is not running: there is no socket at ${socket}`,
  );
  const server = JSON.parse(await Bun.file(join(project.dir, ".orch/server.json")).text());
  const token = (await Bun.file(join(project.dir, ".orch/token")).text()).trim();
  const client = createClient({ url: server.url, token });
  const run = await client.triggerRun("boxed", {});
  const ended = await waitForState(client, run.id, ["FAILED", "CRASHED", "COMPLETED"], 15_000);
  expect(ended.state).toBe("FAILED");
  expect(ended.state_message).toContain(
    `the Docker daemon is not running: there is no socket at ${socket}`,
  );
});

test("orch pools ls and inspect show each pool's type, limit, workers, waiting runs and template", async () => {
  const ls = await orch(["pools", "ls", "--json", "--dir", project.dir]);
  expect(ls.code).toBe(0);
  const pools = JSON.parse(ls.stdout) as { name: string }[];
  expect(pools.find((p) => p.name === "boxes")).toEqual({
    name: "boxes",
    type: "docker",
    defined: true,
    concurrency: null,
    paused: false,
    workers: 1,
    runs_waiting: 0,
    runs_running: 0,
    job: { image: "debian:12" },
  });
  expect(pools.find((p) => p.name === "default")).toMatchObject({
    type: "process",
    defined: false,
  });
  const table = await orch(["pools", "ls", "--dir", project.dir]);
  expect(table.stdout).toMatch(/^boxes\s+docker\s+-\s+1\s+0\s+0\s+debian:12$/m);

  const inspect = await orch(["pools", "inspect", "boxes", "--json", "--dir", project.dir]);
  expect(JSON.parse(inspect.stdout)).toMatchObject({
    name: "boxes",
    job: { image: "debian:12" },
    queues: [{ name: "default", priority: 1, concurrency: null }],
    deployments: [{ name: "boxed", job_variables: {} }],
  });
  const missing = await orch(["pools", "inspect", "nope", "--dir", project.dir]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('no work pool "nope" (pools: boxes, default)');
});
