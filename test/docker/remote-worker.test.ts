import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Client, createClient } from "../../src/client/index.ts";
import { spawnOrch, tempDir } from "../helpers.ts";
import {
  BUSYBOX_IMAGE,
  containersWith,
  dockerUnavailable,
  engine,
  ensureTestImages,
  logText,
  runToEnd,
} from "./helpers.ts";

const unavailable = await dockerUnavailable();
if (unavailable) console.warn(unavailable);

const MARK = `test.marker=${randomUUID()}`;
const [markKey, markValue] = MARK.split("=") as [string, string];

describe.skipIf(unavailable !== null)(
  "orch worker --pool for a docker pool (a real dockerd)",
  () => {
    let project: ReturnType<typeof tempDir>;
    let up: ReturnType<typeof spawnOrch>;
    let worker: ReturnType<typeof spawnOrch>;
    let client: Client;

    beforeAll(async () => {
      await ensureTestImages();
      project = tempDir("orch-docker-remote-");
      await Bun.write(
        join(project.dir, "flows/docker.yaml"),
        `work_pools:
  - name: boxes
    type: docker
    job: { image: ${BUSYBOX_IMAGE}, pull: never, labels: { ${markKey}: "${markValue}" } }
deployments:
  - name: hello
    command: ["echo", "hello from {{ parameters.who }}"]
    parameters: { who: nobody }
    work_pool: boxes
`,
      );
      up = spawnOrch(["up", "--headless", "--port", "0", "--no-worker", "--dir", project.dir]);
      await up.waitFor("orch is up at", 20_000);
      const server = JSON.parse(await Bun.file(join(project.dir, ".orch/server.json")).text());
      const token = (await Bun.file(join(project.dir, ".orch/token")).text()).trim();
      client = createClient({ url: server.url, token });
      const elsewhere = tempDir("orch-worker-home-");
      worker = spawnOrch(["worker", "--pool", "boxes", "--api", server.url, "--token", token], {
        cwd: elsewhere.dir,
      });
    }, 120_000);

    afterAll(async () => {
      worker?.proc.kill("SIGTERM");
      up?.proc.kill("SIGTERM");
      await Promise.all([worker?.proc.exited, up?.proc.exited]);
      for (const id of await containersWith(MARK)) await engine.removeContainer(id);
      project?.cleanup();
    });

    test("a remote worker runs the pool's runs in containers, labelled with its id", async () => {
      const run = await runToEnd(client, "hello", { who: "a container" });
      expect(run.state).toBe("COMPLETED");
      expect(await logText(client, run.id)).toEqual(["hello from a container"]);
      expect(run.states.find((s) => s.type === "RUNNING")?.message).toMatch(
        /^container [0-9a-f]{12} /,
      );
      expect(await containersWith(MARK)).toEqual([]);
    });
  },
);
