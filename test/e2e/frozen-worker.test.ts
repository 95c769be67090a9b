import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Client, createClient, type RunJson } from "../../src/client/index.ts";
import { spawnOrch, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

// A worker that is frozen (kill -STOP) while the server holds its long poll: the run handed to
// it goes back to the queue once it is counted as lost, and a healthy worker runs it.
const held = createMarker("frozen");
const guarded = createMarker("guarded");
// Each worker's runs sleep as long as its own environment says: the frozen one's for good. Each
// copy that starts leaves a line in its deployment's STARTS file.
const flows = (dir: string) => `deployments:
  - name: held
    command: "echo started >> $STARTS; echo started; sleep $NAP; echo done"
    env: { ORCH_TEST_MARKER: "${held.value}", STARTS: "${join(dir, "held-starts")}" }
  - name: guarded
    command: "echo started >> $STARTS; echo started; sleep $NAP; echo done"
    env: { ORCH_TEST_MARKER: "${guarded.value}", STARTS: "${join(dir, "guarded-starts")}" }
`;

let project: { dir: string; cleanup: () => void };
let elsewhere: { dir: string; cleanup: () => void };
let client: Client;
let up: ReturnType<typeof spawnOrch>;
let frozen: ReturnType<typeof spawnOrch> | null = null;
let healthy: ReturnType<typeof spawnOrch> | null = null;
let url: string;
let token: string;

interface WorkerListed {
  id: string;
  name: string;
  started_at: string;
  last_heartbeat: string;
}

/** The run once it has ended (null if it has not within 25 s). */
async function endOf(id: string): Promise<RunJson | null> {
  for (const stop = Date.now() + 25_000; Date.now() < stop; await Bun.sleep(50)) {
    const now = await client.getRun(id);
    if (["COMPLETED", "FAILED", "CRASHED", "CANCELLED"].includes(now.state)) return now;
  }
  return null;
}

function startWorker(name: string, nap: string, api = url) {
  return spawnOrch(["worker", "--pool", "default", "--api", api, "--name", name], {
    cwd: elsewhere.dir,
    env: { ORCH_API_TOKEN: token, NAP: nap },
  });
}

beforeAll(async () => {
  project = tempDir("orch-project-");
  elsewhere = tempDir("orch-elsewhere-");
  await Bun.write(join(project.dir, "flows/held.yaml"), flows(project.dir));
  up = spawnOrch(
    ["up", "--headless", "--port", "0", "--no-worker", "--dir", project.dir],
    // Silent for 2 s is lost (a heartbeat every ~0.7 s).
    { env: { ORCH_WORKER_TIMEOUT: "2s" } },
  );
  await up.waitFor("orch is up at", 15_000);
  url = JSON.parse(readFileSync(join(project.dir, ".orch/server.json"), "utf8")).url;
  token = readFileSync(join(project.dir, ".orch/token"), "utf8").trim();
  client = createClient({ url, token });
});

afterAll(async () => {
  for (const w of [frozen, healthy]) {
    if (!w) continue;
    w.proc.kill("SIGCONT");
    w.proc.kill("SIGKILL");
    await w.proc.exited;
  }
  up.proc.kill("SIGTERM");
  await up.proc.exited;
  held.kill();
  guarded.kill();
  project.cleanup();
  elsewhere.cleanup();
});

test("a worker frozen after orch let it start a run, before its RUNNING reached orch: the run is CRASHED and never runs a second time", async () => {
  // Between this worker and the server, a network that loses every state report: its RUNNING
  // never arrives.
  const proxy = Bun.serve({
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (path.endsWith("/state")) {
        const cut = { error: { code: "E_INTERNAL", message: "the network is cut" } };
        return Response.json(cut, { status: 503 });
      }
      const headers = new Headers(req.headers);
      headers.set("host", new URL(url).host);
      return fetch(`${url}${path}${new URL(req.url).search}`, {
        method: req.method,
        headers,
        body: req.method === "GET" ? undefined : await req.arrayBuffer(),
        signal: req.signal,
      });
    },
  });
  const stalled = startWorker("stalled-one", "300", `http://127.0.0.1:${proxy.port}`);
  let other: ReturnType<typeof spawnOrch> | null = null;
  try {
    await stalled.waitFor("takes runs of pool default", 15_000);
    const run = await client.triggerRun("guarded");
    await guarded.appeared(15_000);
    stalled.proc.kill("SIGSTOP");
    // Another worker is there to take the run, were it given back to the queue.
    other = startWorker("other-one", "0");
    await other.waitFor("takes runs of pool default", 15_000);

    const end = await endOf(run.id);
    expect(end?.state).toBe("CRASHED");
    expect(end?.state_message).toMatch(/stalled-one/);
    expect(end?.state_message).toMatch(/after orch let it start the run's process/);
    const detail = await client.getRun(run.id);
    expect(detail.states.map((s) => `${s.type}/${s.name}`)).toEqual([
      "SCHEDULED/Scheduled",
      "PENDING/Pending",
      "CRASHED/Crashed",
    ]);
    // One copy: the frozen worker's, still running.
    expect(readFileSync(join(project.dir, "guarded-starts"), "utf8")).toBe("started\n");
    expect(guarded.pids().length).toBeGreaterThan(0);
  } finally {
    stalled.proc.kill("SIGKILL");
    await stalled.proc.exited;
    if (other) {
      other.proc.kill("SIGTERM");
      await other.proc.exited;
    }
    guarded.kill();
    proxy.stop(true);
  }
});

test("a run handed to a frozen worker through its held poll goes back to the queue and another worker runs it; the frozen worker, back, starts nothing", async () => {
  frozen = startWorker("frozen-one", "300");
  await frozen.waitFor("takes runs of pool default", 15_000);
  // Its first claim goes out as it starts, and stamps its heartbeat: then the server holds it.
  let me: WorkerListed | undefined;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const workers = await client.request<WorkerListed[]>("GET", "/api/workers");
    me = workers.find((w) => w.name === "frozen-one");
    if (me && me.last_heartbeat > me.started_at) break;
    if (Date.now() > deadline) throw new Error("the worker never claimed");
    await Bun.sleep(50);
  }
  frozen.proc.kill("SIGSTOP");

  const run = await client.triggerRun("held");
  let pending: RunJson | null = null;
  for (const stop = Date.now() + 15_000; Date.now() < stop; await Bun.sleep(20)) {
    const now = await client.getRun(run.id);
    if (now.state !== "SCHEDULED") {
      pending = now;
      break;
    }
  }
  expect(pending).toMatchObject({ state: "PENDING", worker: me!.id });
  // The server's looks inside the held poll are not the worker's own word: no heartbeat.
  const detail = await client.getRun(run.id);
  const claimedAt = detail.states.find((s) => s.type === "PENDING")!.at;
  const listed = (await client.request<WorkerListed[]>("GET", "/api/workers")).find(
    (w) => w.id === me!.id,
  );
  // (Already counted lost on a slow machine: nothing left to compare.)
  if (listed) expect(Date.parse(listed.last_heartbeat)).toBeLessThan(Date.parse(claimedAt));

  healthy = startWorker("healthy-one", "0");
  await healthy.waitFor("takes runs of pool default", 15_000);
  const end = await endOf(run.id);
  expect(end).toMatchObject({ state: "COMPLETED", exit_code: 0 });
  const ended = await client.getRun(run.id);
  const types = ended.states.map((s) => `${s.type}/${s.name}`);
  expect(types).toEqual([
    "SCHEDULED/Scheduled",
    "PENDING/Pending",
    "SCHEDULED/Requeued",
    "PENDING/Pending",
    "RUNNING/Running",
    "COMPLETED/Completed",
  ]);
  const requeued = ended.states[2]!;
  expect(requeued.message).toMatch(/frozen-one/);
  expect(requeued.message).toMatch(/before it reported the run started/);
  expect(ended.worker).not.toBe(me!.id);

  // Back: it finds the job in its poll's answer; orch refuses to let it start, and it starts
  // nothing: only the healthy worker's copy ever ran.
  frozen.proc.kill("SIGCONT");
  // (Its attempt ends giving the run back, which orch refuses too: it is another worker's.)
  await frozen.waitFor(`run ${run.id}: orch refused state SCHEDULED`, 15_000);
  expect(readFileSync(join(project.dir, "held-starts"), "utf8")).toBe("started\n");
  expect(held.pids()).toEqual([]);
  const after = await client.getRun(run.id);
  expect(after.states.map((s) => `${s.type}/${s.name}`)).toEqual(types);
  expect(after.state).toBe("COMPLETED");
});
