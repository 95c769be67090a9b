import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { type Client, createClient, findServer } from "../../src/client/index.ts";
import { projectPaths } from "../../src/core/index.ts";
import { getRun, openStore, type RunRow, runStates } from "../../src/store/index.ts";
import { orch, spawnOrch, tempDir } from "../helpers.ts";
import { createMarker, type Marker } from "../processes.ts";

let dir: string;
let cleanup: () => void;
let marker: Marker;
let up: ReturnType<typeof spawnOrch> | null = null;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  marker = createMarker("stop");
  const gate = join(dir, "gate");
  await Bun.write(
    join(dir, "flows/all.yaml"),
    `deployments:
  - name: forever
    command: ["sh", "-c", "echo started; exec sleep 300"]
    ${marker.yaml}
  - name: gated
    command: ["sh", "-c", "echo started; while [ ! -e '${gate}' ]; do sleep 0.02; done; echo finished"]
    ${marker.yaml}
  - name: retried
    command: ["sh", "-c", '[ "$ORCH_ATTEMPT" = 2 ] && exit 0; echo started; exec sleep 300']
    retries: 1
    ${marker.yaml}
  - name: single
    command: ["sh", "-c", "echo started; while [ ! -e '${gate}' ]; do sleep 0.02; done"]
    concurrency: { limit: 1, collision: cancel-new }
    ${marker.yaml}
`,
  );
});
afterEach(async () => {
  if (up && up.proc.exitCode === null) {
    up.proc.kill("SIGKILL");
    await up.proc.exited;
  }
  up = null;
  marker.kill();
  cleanup();
});

/** Start orch up for the project; resolve with a client once it serves. */
async function startUp(...flags: string[]): Promise<Client> {
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir, ...flags]);
  await up.waitFor("orch is up at");
  const target = findServer(projectPaths(dir), {}, {});
  if (!target) throw new Error("orch up wrote no server.json");
  return createClient(target);
}

async function waitRunning(client: Client, id: string) {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await Bun.sleep(20)) {
    if ((await client.getRun(id)).state === "RUNNING") return;
  }
  throw new Error(`run ${id} did not start`);
}

/** The run as stored, read once orch has exited. */
function stored(id: string): { run: RunRow; history: string[] } {
  const store = openStore(projectPaths(dir).db);
  try {
    const run = getRun(store, id)!;
    return { run, history: runStates(store, run.seq).map((s) => `${s.type}/${s.name}`) };
  } finally {
    store.close();
  }
}

test("SIGTERM on orch up cancels a running run after the grace period: CANCELLED, orch was stopped, its process gone", async () => {
  const client = await startUp("--grace", "200ms");
  const run = await client.triggerRun("forever");
  await waitRunning(client, run.id);
  expect((await marker.appeared()).length).toBeGreaterThan(0);
  up!.proc.kill("SIGTERM");
  expect(await up!.proc.exited).toBe(0);
  const { run: after, history } = stored(run.id);
  expect(after.state_type).toBe("CANCELLED");
  expect(after.state_message).toMatch(/^orch was stopped; its process tree was stopped/);
  expect(history.at(-1)).toBe("CANCELLED/Cancelled");
  expect(marker.pids()).toEqual([]);
  expect(up!.stderr).toMatch(/SIGTERM: taking no new runs; 1 running get 200ms to end/);
});

test("orch up --drain waits for a running run to end: it COMPLETES", async () => {
  // No grace at all: only the drain keeps the run alive.
  const client = await startUp("--drain", "--grace", "0s");
  const run = await client.triggerRun("gated");
  await waitRunning(client, run.id);
  up!.proc.kill("SIGTERM");
  await up!.waitFor("waiting for 1 to end");
  expect(up!.proc.exitCode).toBe(null);
  writeFileSync(join(dir, "gate"), "");
  expect(await up!.proc.exited).toBe(0);
  const { run: after } = stored(run.id);
  expect(after.state_type).toBe("COMPLETED");
  expect(marker.pids()).toEqual([]);
});

test("orch run says when collision cancel-new cancelled the run at once, and exits 1", async () => {
  const client = await startUp();
  const first = await orch(["run", "single", "--dir", dir]);
  expect(first.code).toBe(0);
  expect(first.stderr).toMatch(/triggered/);
  const [running] = (await client.listRuns({ deployment: "single" })).runs;
  await waitRunning(client, running!.id);

  const second = await orch(["run", "single", "--dir", dir]);
  expect(second.code).toBe(1);
  expect(second.stderr).not.toMatch(/triggered/);
  expect(second.stderr).toMatch(
    /run \w{8} of single was cancelled at once: cancelled: deployment single already has 1 active run \(limit 1, collision cancel-new\)/,
  );
  const json = await orch(["run", "single", "--json", "--dir", dir]);
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout)).toMatchObject({ state: "CANCELLED", deployment: "single" });
});

test("SIGTERM on orch worker does the same for its runs: CANCELLED after the grace period, process gone", async () => {
  const client = await startUp("--no-worker");
  const target = findServer(projectPaths(dir), {}, {})!;
  const elsewhere = tempDir();
  try {
    const worker = spawnOrch(
      ["worker", "--api", target.url, "--token", target.token!, "--grace", "200ms"],
      { cwd: elsewhere.dir },
    );
    await worker.waitFor("takes runs of pool default", 15_000);
    const run = await client.triggerRun("forever");
    await waitRunning(client, run.id);
    worker.proc.kill("SIGTERM");
    expect(await worker.proc.exited).toBe(0);
    const after = await client.getRun(run.id);
    expect(after.state).toBe("CANCELLED");
    expect(after.state_message).toMatch(
      // Unnamed, the worker is named after its process.
      new RegExp(
        `^orch worker remote-${worker.proc.pid} on .+ was stopped; its process tree was stopped`,
      ),
    );
    expect(marker.pids()).toEqual([]);
  } finally {
    elsewhere.cleanup();
  }
});

test("a second SIGTERM while orch up drains stops the runs at once", async () => {
  const client = await startUp("--drain");
  const run = await client.triggerRun("forever");
  await waitRunning(client, run.id);
  up!.proc.kill("SIGTERM");
  await up!.waitFor("waiting for 1 to end");
  up!.proc.kill("SIGTERM");
  expect(await up!.proc.exited).toBe(0);
  expect(up!.stderr).toMatch(/SIGTERM: stopping the running runs now/);
  const { run: after } = stored(run.id);
  expect(after.state_type).toBe("CANCELLED");
  expect(after.state_message).toMatch(/^orch was stopped/);
  expect(marker.pids()).toEqual([]);
});

/** Wait until the run is COMPLETED; the run as the API gives it. */
async function waitCompleted(client: Client, id: string) {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await Bun.sleep(50)) {
    const run = await client.getRun(id);
    if (run.state === "COMPLETED") return run;
  }
  throw new Error(`run ${id} did not complete`);
}

test("a run orch stopped (SIGTERM) with retries left waits as AwaitingRetry, and the next orch up runs it again", async () => {
  const client = await startUp("--grace", "200ms");
  const run = await client.triggerRun("retried");
  await waitRunning(client, run.id);
  up!.proc.kill("SIGTERM");
  expect(await up!.proc.exited).toBe(0);
  const { run: after } = stored(run.id);
  expect(after).toMatchObject({ state_type: "SCHEDULED", state_name: "AwaitingRetry" });
  expect(after.state_message).toMatch(
    /^orch was stopped; its process tree was stopped \(SIG\w+\); retrying \(0 retries left after this one\)$/,
  );
  expect(marker.pids()).toEqual([]);
  const again = await startUp();
  expect(await waitCompleted(again, run.id)).toMatchObject({ attempt: 2 });
});

test("after kill -9, a run found RUNNING at the restart with retries left runs again, not CRASHED", async () => {
  const client = await startUp();
  const run = await client.triggerRun("retried");
  await waitRunning(client, run.id);
  up!.proc.kill("SIGKILL");
  await up!.proc.exited;
  const again = await startUp();
  expect(await waitCompleted(again, run.id)).toMatchObject({ attempt: 2 });
  up!.proc.kill("SIGTERM");
  await up!.proc.exited;
  const { history } = stored(run.id);
  expect(history).toContain("SCHEDULED/AwaitingRetry");
  expect(history).not.toContain("CRASHED/Crashed");
  expect(marker.pids()).toEqual([]);
});
