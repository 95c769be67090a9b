import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { reusablePort, spawnOrch, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

const marker = createMarker("retried");
const project = tempDir("orch-worker-stop-");
const elsewhere = tempDir("orch-worker-stop-w-");
let up: ReturnType<typeof spawnOrch> | undefined;

afterAll(async () => {
  up?.proc.kill("SIGTERM");
  await up?.proc.exited;
  marker.kill();
  project.cleanup();
  elsewhere.cleanup();
});

test("a run stopped as `orch worker` stopped, with retries left, waits as AwaitingRetry for its next attempt", async () => {
  await Bun.write(
    join(project.dir, "flows/r.yaml"),
    `deployments:
  - name: retried
    command: ["sh", "-c", "echo started; exec sleep 300"]
    retries: 1
    ${marker.yaml}
`,
  );
  const port = reusablePort();
  const url = `http://127.0.0.1:${port}`;
  up = spawnOrch(["up", "--headless", "--port", String(port), "--no-worker", "--dir", project.dir]);
  await up.waitFor("orch is up at", 15_000);
  const token = readFileSync(join(project.dir, ".orch/token"), "utf8").trim();
  const client = createClient({ url, token });
  const worker = spawnOrch(
    ["worker", "--pool", "default", "--api", url, "--token", token, "--grace", "200ms"],
    {
      cwd: elsewhere.dir,
    },
  );
  await worker.waitFor("takes runs of pool default", 15_000);
  const run = await client.triggerRun("retried");
  for (let i = 0; i < 300 && (await client.getRun(run.id)).state !== "RUNNING"; i++)
    await Bun.sleep(50);
  worker.proc.kill("SIGTERM");
  await worker.proc.exited;
  const after = await client.getRun(run.id);
  expect(after.state_name).toBe("AwaitingRetry");
}, 60_000);
