import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { type Client, createClient, createWorkerClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { getRun } from "../../src/store/index.ts";
import { type RemoteWorker, startRemoteWorker } from "../../src/worker/index.ts";
import { tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";
import { eventually, waitForRun } from "./helpers.ts";

const forever = createMarker("forever");
const FLOWS = `deployments:
  - name: quick
    command: ["sh", "./quick.sh"]
  - name: slow
    command: ["sh", "-c", "echo going; sleep 1; echo done"]
  - name: forever
    command: ["sh", "-c", "echo going; exec sleep 41"]
    ${forever.yaml}
`;

let server: OrchServer;
let project: { dir: string; cleanup: () => void };
let elsewhere: { dir: string; cleanup: () => void };
let client: Client;
let workers: RemoteWorker[] = [];

beforeAll(async () => {
  project = tempDir();
  elsewhere = tempDir();
  await Bun.write(join(project.dir, "flows/a.yaml"), FLOWS);
  await Bun.write(join(project.dir, "flows/quick.sh"), "echo quick from the bundle\n");
  server = await startServer({ dir: project.dir, port: 0, worker: false, staleAfterMs: 3000 });
  client = createClient({ url: server.url, token: server.token });
});
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
});
afterAll(async () => {
  await server.stop();
  project.cleanup();
  elsewhere.cleanup();
});

async function startWorker() {
  const worker = await startRemoteWorker({
    client: createWorkerClient(client),
    pool: "default",
    bundlesDir: join(elsewhere.dir, "bundles"),
    workDir: elsewhere.dir,
    token: server.token,
    graceMs: 300,
  });
  workers.push(worker);
  return worker;
}

const logs = async (id: string) => (await client.runLogs(id)).map((l) => l.line);

test("runs a run from the downloaded bundle and reports it COMPLETED with its logs", async () => {
  await startWorker();
  const run = await client.triggerRun("quick");
  const done = await waitForRun(server.store, run.id, "COMPLETED");
  expect(done.exit_code).toBe(0);
  expect(await logs(run.id)).toEqual(["quick from the bundle"]);
  expect(existsSync(join(elsewhere.dir, "bundles/trees"))).toBe(true);
});

test("drain lets a running run finish; stop ends one CANCELLED; both leave the worker offline", async () => {
  const first = await startWorker();
  const slow = await client.triggerRun("slow");
  await waitForRun(server.store, slow.id, "RUNNING");
  await first.drain();
  expect(getRun(server.store, slow.id)!.state_type).toBe("COMPLETED");
  expect(await logs(slow.id)).toEqual(["going", "done"]);

  const second = await startWorker();
  const forever = await client.triggerRun("forever");
  await waitForRun(server.store, forever.id, "RUNNING");
  await second.stop();
  const stopped = getRun(server.store, forever.id)!;
  expect(stopped.state_type).toBe("CANCELLED");
  expect(stopped.state_message).toMatch(
    new RegExp(
      `^orch worker remote-${process.pid} on .* was stopped; its process tree was stopped`,
    ),
  );
  expect(await client.request("GET", "/api/workers")).toEqual([]);
});

test("a worker the server marked offline stops its runs there and registers again", async () => {
  const worker = await startWorker();
  const firstId = worker.id;
  const run = await client.triggerRun("forever");
  await waitForRun(server.store, run.id, "RUNNING");
  // What the reaper does to a silent worker: offline, its runs CRASHED.
  await createWorkerClient(client).offline(firstId);
  expect(getRun(server.store, run.id)!.state_type).toBe("CRASHED");
  await eventually(
    () => worker.id !== firstId && worker.active().length === 0,
    10_000,
    "the worker to register again",
  );
  expect(forever.pids()).toEqual([]);
  // And it takes new runs under its new id.
  const next = await client.triggerRun("quick");
  const done = await waitForRun(server.store, next.id, "COMPLETED");
  expect(done.worker_id).toBe(worker.id);
});
