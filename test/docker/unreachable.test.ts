import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { spawnOrch, tempDir } from "../helpers.ts";
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
