import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { createClient, createWorkerClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { getRun, runStates } from "../../src/store/index.ts";
import { type RemoteWorker, startRemoteWorker } from "../../src/worker/index.ts";
import { tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";
import { eventually, waitForRun } from "./helpers.ts";

let server: OrchServer;
let proxy: ReturnType<typeof Bun.serve>;
let project: { dir: string; cleanup: () => void };
let worker: RemoteWorker | null = null;
/** Which requests (by path) the network between the worker and the server cuts, both ways. */
let cut: (path: string) => boolean = () => false;
/** Every path the worker asked for, in order, cut or not. */
let asked: string[] = [];
const napping = createMarker("napping");

const CUT = () =>
  Response.json({ error: { code: "E_INTERNAL", message: "the network is cut" } }, { status: 503 });

beforeEach(async () => {
  project = tempDir();
  const gate = join(project.dir, "gate");
  await Bun.write(
    join(project.dir, "flows/a.yaml"),
    `deployments:
  - name: gated
    command: ["sh", "-c", "echo started; while [ ! -e '${gate}' ]; do sleep 0.02; done; echo finished"]
  - name: napping
    command: ["sh", "-c", "echo started >> '${join(project.dir, "starts")}'; echo started; sleep 31"]
    ${napping.yaml}
`,
  );
  server = await startServer({ dir: project.dir, port: 0, worker: false, staleAfterMs: 600 });
  // Between the worker and the server: a link the test can cut. A response that comes back
  // while it is cut is lost too, as on a real network.
  proxy = Bun.serve({
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      asked.push(url.pathname);
      if (cut(url.pathname)) return CUT();
      const headers = new Headers(req.headers);
      headers.set("host", new URL(server.url).host);
      const res = await fetch(`${server.url}${url.pathname}${url.search}`, {
        method: req.method,
        headers,
        body: req.method === "GET" ? undefined : await req.arrayBuffer(),
        signal: req.signal,
      });
      return cut(url.pathname) ? CUT() : res;
    },
  });
});
afterEach(async () => {
  cut = () => false;
  asked = [];
  napping.kill();
  await worker?.stop();
  worker = null;
  proxy.stop(true);
  await server.stop();
  project.cleanup();
});

/** A remote worker of the default pool that reaches the server through the cuttable proxy. */
function workerViaProxy() {
  const viaProxy = createClient({ url: `http://127.0.0.1:${proxy.port}`, token: server.token });
  return startRemoteWorker({
    client: createWorkerClient(viaProxy),
    pool: "default",
    bundlesDir: join(project.dir, "remote/bundles"),
    workDir: project.dir,
    graceMs: 300,
  });
}

test("a worker cut off past the timeout reports, once back, that its run completed: that is recorded", async () => {
  worker = await workerViaProxy();
  const direct = createClient({ url: server.url, token: server.token });
  const run = await direct.triggerRun("gated");
  await waitForRun(server.store, run.id, "RUNNING");

  cut = () => true;
  const lost = await waitForRun(server.store, run.id, "CRASHED");
  expect(lost.state_message).toMatch(/stopped heartbeating/);
  // While the worker is cut off, its process ends well: exit 0, every line printed.
  writeFileSync(join(project.dir, "gate"), "");
  await eventually(() => worker!.active().length === 0, 10_000, "the flow to end");

  cut = () => false;
  const done = await waitForRun(server.store, run.id, "COMPLETED");
  expect(done.exit_code).toBe(0);
  expect((await direct.runLogs(run.id)).map((l) => l.line)).toEqual(["started", "finished"]);
  expect(runStates(server.store, done.seq).map((s) => `${s.type}/${s.name}`)).toEqual([
    "SCHEDULED/Scheduled",
    "PENDING/Pending",
    "RUNNING/Running",
    "CRASHED/Crashed",
    "COMPLETED/Completed",
  ]);
  // The worker joined again under a new id; the run stays with the one that ran it.
  await eventually(() => worker!.id !== done.worker_id, 10_000, "the worker to register again");
  expect(getRun(server.store, run.id)!.state_type).toBe("COMPLETED");
});

test("a worker cut off before orch let it start a run never starts it: the run is requeued, and the worker's late start is refused", async () => {
  // Its claims get through, its starts, reports and heartbeats do not.
  cut = (path) => path.includes("/runs/") || path.endsWith("/heartbeat");
  worker = await workerViaProxy();
  const direct = createClient({ url: server.url, token: server.token });
  const run = await direct.triggerRun("napping");
  const starts = join(project.dir, "starts");
  await eventually(
    () => asked.some((path) => path.endsWith(`/runs/${run.id}/start`)) || existsSync(starts),
    10_000,
    "the worker to ask to start the run",
  );
  cut = () => true;
  const requeued = await waitForRun(server.store, run.id, "SCHEDULED");
  expect(requeued.state_name).toBe("Requeued");
  expect(requeued.worker_id).toBeNull();

  // Only its start gets through now: it comes after the run was given back, and is refused.
  cut = (path) => !path.endsWith("/start");
  await eventually(() => worker!.active().length === 0, 10_000, "the attempt to end");
  expect(existsSync(starts)).toBe(false);
  const now = getRun(server.store, run.id)!;
  expect(now.state_type).toBe("SCHEDULED");
  expect(runStates(server.store, now.seq).map((s) => `${s.type}/${s.name}`)).toEqual([
    "SCHEDULED/Scheduled",
    "PENDING/Pending",
    "SCHEDULED/Requeued",
  ]);
});

test("a worker lost after orch let it start a run, before its RUNNING arrived: the run is CRASHED, never given to another worker", async () => {
  // Its claims and starts get through; its states and heartbeats do not.
  cut = (path) => path.endsWith("/state") || path.endsWith("/heartbeat");
  worker = await workerViaProxy();
  const direct = createClient({ url: server.url, token: server.token });
  const run = await direct.triggerRun("napping");
  await napping.appeared(30_000);
  cut = () => true;
  const lost = await waitForRun(server.store, run.id, "CRASHED");
  expect(lost.state_message).toMatch(/stopped heartbeating/);
  expect(lost.state_message).toMatch(/after orch let it start the run's process/);
  expect(runStates(server.store, lost.seq).map((s) => `${s.type}/${s.name}`)).toEqual([
    "SCHEDULED/Scheduled",
    "PENDING/Pending",
    "CRASHED/Crashed",
  ]);
});

test("an ad-hoc run awaiting its retry stays its orch flow run's alone, and ends when that is lost", async () => {
  const client = createWorkerClient(createClient({ url: server.url, token: server.token }));
  const register = (name: string) =>
    client.register({ name, pool: "ad-hoc", host: "here", concurrency: 1 });
  const own = await register("flow-run-1");
  const other = await register("flow-run-2");
  const run = await client.createAdHocRun({
    flow: "flows/own.ts",
    worker_id: own.id,
    retries: 1,
    retry_delay_ms: 600_000,
  });
  await client.reportState(own.id, run.id, { type: "RUNNING", attempt: 1 });
  await client.reportState(own.id, run.id, { type: "FAILED", attempt: 1, message: "boom" });
  const waiting = getRun(server.store, run.id)!;
  expect([waiting.state_type, waiting.state_name, waiting.worker_id]).toEqual([
    "SCHEDULED",
    "AwaitingRetry",
    own.id,
  ]);
  // Due or not, no other worker claims it or takes it back.
  const claim = await client.claim(other.id, { limit: 1 });
  expect(claim.jobs).toEqual([]);
  await expect(client.retakeAdHocRun(other.id, run.id)).rejects.toThrow(/held by another worker/);
  // Its orch flow run is gone (killed in the retry's wait: no heartbeat, no retake): the run
  // does not wait for ever.
  await client.heartbeat(other.id);
  const ended = await waitForRun(server.store, run.id, "CANCELLED");
  expect(ended.state_message).toMatch(
    /^the orch flow run that would retry this ad-hoc run \(worker flow-run-1 on here\) is gone: no attempt follows/,
  );
});
