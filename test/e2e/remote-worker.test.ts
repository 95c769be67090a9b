import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Client, createClient, type RunJson } from "../../src/client/index.ts";
import { orch, reusablePort, spawnOrch, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";
import { eventually } from "../worker/helpers.ts";

const lines = createMarker("lines");
const sleepy = createMarker("sleepy");
const orphan = createMarker("orphan");
const stranded = createMarker("stranded");
const FLOWS = `deployments:
  - name: lines
    command: ["sh", "./print-lines.sh"]
    ${lines.yaml}
  - name: sleepy
    command: ["sh", "-c", "echo started; sleep 37"]
    ${sleepy.yaml}
  - name: orphan
    command: ["sh", "-c", "echo started; sleep 39"]
    ${orphan.yaml}
  - name: stranded
    command: ["sh", "-c", "echo started; sleep 43"]
    ${stranded.yaml}
`;
// A helper script next to the definition: the worker can only run it from the downloaded bundle.
const SCRIPT = "for i in $(seq 1 200); do echo line $i; sleep 0.01; done\n";

let project: { dir: string; cleanup: () => void };
let elsewhere: { dir: string; cleanup: () => void };
let port: number;
let url: string;
let token: string;
let client: Client;
let up: ReturnType<typeof spawnOrch>;
let worker: ReturnType<typeof spawnOrch>;

async function startUp() {
  up = spawnOrch(
    ["up", "--headless", "--port", String(port), "--no-worker", "--dir", project.dir],
    {
      env: { ORCH_WORKER_TIMEOUT: "2s" },
    },
  );
  await up.waitFor("orch is up at", 15_000);
}

/** Follow a run's logs on the server until `until` holds (or the run ends): its lines and end. */
async function follow(
  id: string,
  until: (lines: string[]) => boolean = () => false,
): Promise<{ lines: string[]; end: RunJson | null }> {
  const lines: string[] = [];
  const abort = new AbortController();
  try {
    for await (const message of client.followLogs(id, {}, abort.signal)) {
      if (message.event === "log") lines.push((message.data as { line: string }).line);
      if (message.event === "end") return { lines, end: message.data as RunJson };
      if (until(lines)) return { lines, end: null };
    }
  } finally {
    abort.abort();
  }
  return { lines, end: null };
}

beforeAll(async () => {
  project = tempDir("orch-project-");
  elsewhere = tempDir("orch-elsewhere-");
  await Bun.write(join(project.dir, "flows/remote.yaml"), FLOWS);
  await Bun.write(join(project.dir, "flows/print-lines.sh"), SCRIPT);
  port = reusablePort();
  url = `http://127.0.0.1:${port}`;
  await startUp();
  token = readFileSync(join(project.dir, ".orch/token"), "utf8").trim();
  client = createClient({ url, token });
  // A cache left by a worker of the old layout: a second copy of every file under objects/.
  const old = join(elsewhere.dir, ".orch-worker/bundles/objects/ab", "cd".repeat(31));
  mkdirSync(dirname(old), { recursive: true });
  writeFileSync(old, SCRIPT);
  worker = spawnOrch(["worker", "--pool", "default", "--api", url, "--token", token], {
    cwd: elsewhere.dir,
  });
  await worker.waitFor("takes runs of pool default", 15_000);
});

afterAll(async () => {
  worker.proc.kill("SIGKILL");
  up.proc.kill("SIGTERM");
  await Promise.all([worker.proc.exited, up.proc.exited]);
  // The run whose worker was killed -9 left its process behind: no one was there to stop it.
  // (The others are stopped too, in case a test failed half way.)
  for (const marker of [lines, sleepy, orphan, stranded]) marker.kill();
  project.cleanup();
  elsewhere.cleanup();
});

test("a remote worker runs a deployment from its downloaded bundle while the server is restarted under it, and every log line arrives once, in order", async () => {
  const run = await client.triggerRun("lines");
  // Let it get going, then kill the server in the middle of the run.
  const before = await follow(run.id, (lines) => lines.length >= 20);
  expect(before.end).toBeNull();
  up.proc.kill("SIGKILL");
  await up.proc.exited;
  // Keep the server down until the flow has ended: its last lines and its final state wait in
  // the worker. (No event crosses processes here: watch the process table.)
  await eventually(
    () => lines.pids().length === 0,
    15_000,
    "the flow to end while the server is down",
  );
  await startUp();
  // The new server's start, as it wrote it: the worker could tell of the end only after it.
  const server = JSON.parse(readFileSync(join(project.dir, ".orch/server.json"), "utf8")) as {
    started_at: string;
  };

  const { end } = await follow(run.id);
  expect(end).toMatchObject({ state: "COMPLETED", exit_code: 0, deployment: "lines" });
  // Its end is when it ended on the worker, not when the server, back, heard of it.
  expect(Date.parse(end!.ended_at!)).toBeLessThan(Date.parse(server.started_at));
  const logs = await client.runLogs(run.id, { limit: 10_000 });
  expect(logs.map((l) => l.line)).toEqual(Array.from({ length: 200 }, (_, i) => `line ${i + 1}`));
  expect(worker.stderr).toMatch(/lost orch at/);
  expect(worker.stderr).toMatch(/reconnected to orch/);

  // The bundle is in the worker's cache under its hash, and B holds nothing else of the project.
  expect(readdirSync(elsewhere.dir)).toEqual([".orch-worker"]);
  // The old layout's objects/ went as the worker started: one copy of each file, in its tree.
  expect(readdirSync(join(elsewhere.dir, ".orch-worker/bundles"))).toEqual(["trees"]);
  const trees = readdirSync(join(elsewhere.dir, ".orch-worker/bundles/trees"));
  expect(trees).toHaveLength(1);
  const hash = trees[0]!;
  expect(hash).toMatch(/^[0-9a-f]{64}$/);
  const manifest = await client.request<{ files: { path: string }[] }>(
    "GET",
    `/api/bundles/${hash}`,
  );
  expect(manifest.files.map((f) => f.path)).toEqual(["print-lines.sh"]);
  expect(
    readFileSync(join(elsewhere.dir, ".orch-worker/bundles/trees", hash, "print-lines.sh"), "utf8"),
  ).toBe(SCRIPT);
});

test("cancelling a remote run stops its process at once", async () => {
  const run = await client.triggerRun("sleepy");
  await follow(run.id, (lines) => lines.includes("started"));
  const cancelled = await orch(["runs", "cancel", run.id, "--api", url, "--token", token]);
  expect(cancelled.code).toBe(0);
  const { end } = await follow(run.id);
  expect(end?.state).toBe("CANCELLED");
  expect(sleepy.pids()).toEqual([]);
});

test("a remote worker killed -9 is marked offline and its run CRASHED after the heartbeat timeout", async () => {
  const run = await client.triggerRun("orphan");
  await follow(run.id, (lines) => lines.includes("started"));
  const workers = await client.request<{ id: string }[]>("GET", "/api/workers");
  expect(workers).toHaveLength(1);
  worker.proc.kill("SIGKILL");
  await worker.proc.exited;

  const { end } = await follow(run.id);
  expect(end?.state).toBe("CRASHED");
  expect(end?.state_message).toMatch(/stopped heartbeating/);
  expect(await client.request("GET", "/api/workers")).toEqual([]);
  expect(existsSync(join(elsewhere.dir, ".orch-worker"))).toBe(true);
});

test("a worker killed -9 with no server on its host to notice: the next worker started there stops what its run left running", async () => {
  worker = spawnOrch(["worker", "--pool", "default", "--api", url, "--token", token], {
    cwd: elsewhere.dir,
  });
  await worker.waitFor("takes runs of pool default", 15_000);
  const run = await client.triggerRun("stranded");
  await follow(run.id, (lines) => lines.includes("started"));
  // The server goes first, so nothing on this host watches the worker when it is killed.
  up.proc.kill("SIGKILL");
  await up.proc.exited;
  worker.proc.kill("SIGKILL");
  await worker.proc.exited;
  expect(stranded.pids()).not.toEqual([]);

  // A worker of another server leaves them alone: they are not its runs to stop or record.
  const other = spawnOrch(
    ["worker", "--pool", "default", "--api", "http://127.0.0.1:9", "--token", token],
    { cwd: elsewhere.dir },
  );
  await other.waitFor("joining pool default", 15_000);
  expect(other.stderr).not.toContain("stopped what");
  expect(stranded.pids()).not.toEqual([]);
  other.proc.kill("SIGKILL");
  await other.proc.exited;

  worker = spawnOrch(["worker", "--pool", "default", "--api", url, "--token", token], {
    cwd: elsewhere.dir,
  });
  await worker.waitFor(`stopped what 1 run(s)`, 15_000);
  expect(worker.stderr).toContain(run.id.slice(0, 8));
  expect(stranded.pids()).toEqual([]);
  await startUp();
  await worker.waitFor("takes runs of pool default", 15_000);
});
