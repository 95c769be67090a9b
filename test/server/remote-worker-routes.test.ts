import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Client, createClient, createWorkerClient } from "../../src/client/index.ts";
import type { OrchError } from "../../src/core/index.ts";
import { bundleHash } from "../../src/definitions/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { countLogs, getRun, runStates } from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { checkManifest } from "../../src/worker/index.ts";
import { tempDir } from "../helpers.ts";
import { waitForRun } from "../worker/helpers.ts";

const FLOWS = `deployments:
  - name: job
    command: ["sh", "./job.sh", "{{ parameters.n }}"]
    parameters: { n: 1 }
`;

let server: OrchServer;
let cleanup: () => void;
let client: Client;
let wc: ReturnType<typeof createWorkerClient>;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  await Bun.write(`${t.dir}/flows/a.yaml`, FLOWS);
  await Bun.write(`${t.dir}/flows/job.sh`, "echo job $1\n");
  server = await startServer({ dir: t.dir, port: 0, worker: false, staleAfterMs: 1500 });
  client = createClient({ url: server.url, token: server.token });
  wc = createWorkerClient(client);
});
afterAll(async () => {
  await server.stop();
  cleanup();
});

/** The OrchError a call fails with. */
async function failure(call: Promise<unknown>): Promise<OrchError> {
  try {
    await call;
  } catch (error) {
    return error as OrchError;
  }
  throw new Error("expected the call to fail");
}

const register = (pool = "default") =>
  wc.register({ name: "test", pool, host: "here", concurrency: 4, pid: null });

/** A worker in its own pool holding one claimed run of `job`. */
/** A pid above Linux's largest (pid_max is at most 2^22): no process has it, none is signalled. */
const NO_SUCH_PID = 4_194_304;

async function claimedRun(pool: string) {
  const worker = await register(pool);
  const run = await client.triggerRun("job", { parameters: { n: 7 } });
  rawSqliteForTests(server.store)
    .query("UPDATE flow_runs SET work_pool = ? WHERE id = ?")
    .run(pool, run.id);
  const { jobs } = await wc.claim(worker.id, { limit: 1 });
  expect(jobs.map((j) => j.run_id)).toEqual([run.id]);
  return { worker, run, job: jobs[0]! };
}

describe("register and heartbeat", () => {
  test("the token is required, and bad bodies are 400s", async () => {
    const anonymous = createWorkerClient(createClient({ url: server.url }));
    expect(
      (await failure(anonymous.register({ name: "x", pool: "p", host: "h", concurrency: 1 }))).code,
    ).toBe("E_UNAUTHORIZED");
    const bad = await failure(
      client.request("POST", "/api/workers", { name: "", pool: "p", host: "h", concurrency: 0 }),
    );
    expect(bad.code).toBe("E_BAD_INPUT");
    expect(bad.problems.map((p) => p.where).sort()).toEqual(["concurrency", "name"]);
  });

  test("the name of orch up's own worker is reserved", async () => {
    const e = await failure(
      wc.register({ name: "embedded", pool: "default", host: "h", concurrency: 1, pid: null }),
    );
    expect(e.status).toBe(400);
    expect(e.problems).toEqual([
      { where: "name", message: expect.stringMatching(/any name but embedded/) },
    ]);
  });

  test("an unknown worker's heartbeat and claim are 404s", async () => {
    expect((await failure(wc.heartbeat("nope"))).code).toBe("E_NOT_FOUND");
    expect((await failure(wc.claim("nope", { limit: 1 }))).code).toBe("E_NOT_FOUND");
  });

  test("registration answers with the heartbeat period", async () => {
    const worker = await register();
    expect(worker).toMatchObject({ pool: "default", stale_after_ms: 1500, heartbeat_ms: 500 });
    expect(await wc.heartbeat(worker.id)).toEqual({ cancel: [] });
    await wc.offline(worker.id);
    expect((await failure(wc.heartbeat(worker.id))).code).toBe("E_CONFLICT");
  });
});

describe("claim", () => {
  test("returns a job with the version's spec, merged parameters and bundle", async () => {
    const { job } = await claimedRun("claim-a");
    expect(job).toMatchObject({
      deployment: "job",
      version: 1,
      attempt: 1,
      parameters: { n: 7 },
      spec: { command: ["sh", "./job.sh", "{{ parameters.n }}"] },
    });
    expect(job.bundle).toMatch(/^[0-9a-f]{64}$/);
  });

  test("a waiting claim is answered as soon as a run appears, not after its wait", async () => {
    const worker = await register("default");
    // The longest wait the API allows (60 s), past this test's timeout: only an early answer passes.
    const waiting = wc.claim(worker.id, { limit: 1, wait_ms: 60_000 });
    await Bun.sleep(50);
    const run = await client.triggerRun("job");
    const answer = await waiting;
    expect(answer.jobs.map((j) => j.run_id)).toEqual([run.id]);
    await wc.reportState(worker.id, run.id, { type: "CANCELLED" });
  });

  test("with nothing to do it answers empty after wait_ms", async () => {
    const worker = await register("claim-empty");
    const started = performance.now();
    expect(await wc.claim(worker.id, { limit: 2, wait_ms: 300 })).toEqual({ jobs: [], cancel: [] });
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  test("a run claimed but never received is delivered again; a held one is not", async () => {
    const { worker, run } = await claimedRun("claim-c");
    const again = await wc.claim(worker.id, { limit: 1 });
    expect(again.jobs.map((j) => j.run_id)).toEqual([run.id]);
    expect((await wc.claim(worker.id, { limit: 1, held: [run.id] })).jobs).toEqual([]);
  });

  test("a cancel wakes the worker's claim with the run's id", async () => {
    const { worker, run } = await claimedRun("claim-d");
    await wc.reportState(worker.id, run.id, { type: "RUNNING", pid: NO_SUCH_PID });
    const waiting = wc.claim(worker.id, { limit: 0, wait_ms: 20_000, held: [run.id] });
    await Bun.sleep(50);
    await client.cancelRun(run.id);
    expect(await waiting).toEqual({ jobs: [], cancel: [run.id] });
    // Told once: a claim that says it knows waits for something new.
    expect(
      await wc.claim(worker.id, { limit: 0, wait_ms: 100, held: [run.id], cancelling: [run.id] }),
    ).toEqual({ jobs: [], cancel: [] });
  });
});

describe("state and logs", () => {
  test("a state from another worker, or for an unknown run, is refused and writes nothing", async () => {
    const { run } = await claimedRun("state-a");
    const other = await register("state-a");
    const before = runStates(server.store, getRun(server.store, run.id)!.seq).length;
    const wrong = await failure(wc.reportState(other.id, run.id, { type: "RUNNING" }));
    expect(wrong.code).toBe("E_CONFLICT");
    expect(wrong.message).toMatch(/not held by worker/);
    expect((await failure(wc.reportState(other.id, "no-such-run", { type: "RUNNING" }))).code).toBe(
      "E_NOT_FOUND",
    );
    expect((await failure(wc.reportState("nope", run.id, { type: "RUNNING" }))).code).toBe(
      "E_NOT_FOUND",
    );
    const bad = await failure(
      client.request("POST", `/api/workers/${other.id}/runs/${run.id}/state`, { type: "PENDING" }),
    );
    expect(bad.code).toBe("E_BAD_INPUT");
    const row = getRun(server.store, run.id)!;
    expect(row.state_type).toBe("PENDING");
    expect(runStates(server.store, row.seq)).toHaveLength(before);
  });

  test("states go through the rules: RUNNING, then COMPLETED with its exit code; a second end is a 409", async () => {
    const { worker, run } = await claimedRun("state-b");
    const running = await wc.reportState(worker.id, run.id, {
      type: "RUNNING",
      pid: 4242,
      pid_started: "x",
    });
    expect(running.run).toMatchObject({ state: "RUNNING", attempt: 1 });
    const done = await wc.reportState(worker.id, run.id, { type: "COMPLETED", exit_code: 0 });
    expect(done).toMatchObject({ changed: true, run: { state: "COMPLETED", exit_code: 0 } });
    const again = await failure(
      wc.reportState(worker.id, run.id, { type: "FAILED", exit_code: 1 }),
    );
    expect(again.code).toBe("E_ILLEGAL_TRANSITION");
    expect(getRun(server.store, run.id)!.state_type).toBe("COMPLETED");
  });

  test("a batch sent again is stored once; another worker's batch is refused", async () => {
    const { worker, run } = await claimedRun("logs-a");
    await wc.reportState(worker.id, run.id, { type: "RUNNING" });
    const line = (n: number) => ({
      at: 1_700_000_000_000 + n,
      stream: "stdout" as const,
      line: `l${n}`,
    });
    expect(
      await wc.appendLogs(worker.id, run.id, { attempt: 1, first: 1, lines: [line(1), line(2)] }),
    ).toEqual({ stored: 2, last: 2 });
    // The answer was lost: the worker sends 1-2 again with 3.
    expect(
      await wc.appendLogs(worker.id, run.id, {
        attempt: 1,
        first: 1,
        lines: [line(1), line(2), line(3)],
      }),
    ).toEqual({ stored: 1, last: 3 });
    expect(
      await wc.appendLogs(worker.id, run.id, { attempt: 1, first: 2, lines: [line(2)] }),
    ).toEqual({ stored: 0, last: 3 });
    const other = await register("logs-a");
    expect(
      (await failure(wc.appendLogs(other.id, run.id, { attempt: 1, first: 4, lines: [line(4)] })))
        .code,
    ).toBe("E_CONFLICT");
    const bad = await failure(
      client.request("POST", `/api/workers/${worker.id}/runs/${run.id}/logs`, {
        attempt: 1,
        first: 0,
        lines: [{ at: 1, stream: "tty", line: "x" }],
      }),
    );
    expect(bad.code).toBe("E_BAD_INPUT");
    expect((await client.runLogs(run.id)).map((l) => l.line)).toEqual(["l1", "l2", "l3"]);
    expect(countLogs(server.store, getRun(server.store, run.id)!.seq)).toBe(3);
  });
});

describe("bundles", () => {
  test("the manifest and objects of a version's bundle download; bad or unknown hashes are 4xx", async () => {
    const { job } = await claimedRun("bundle-a");
    const manifest = await wc.getBundle(job.bundle!);
    expect(manifest.files.map((f) => f.path)).toEqual(["job.sh"]);
    expect(() => checkManifest(job.bundle!, manifest)).not.toThrow();
    const bytes = await wc.getObject(job.bundle!, manifest.files[0]!.hash);
    expect(new TextDecoder().decode(bytes)).toBe("echo job $1\n");

    expect((await failure(wc.getBundle("not-a-hash"))).code).toBe("E_BAD_INPUT");
    expect((await failure(wc.getBundle("a".repeat(64)))).code).toBe("E_NOT_FOUND");
    expect((await failure(wc.getObject(job.bundle!, "../../token"))).code).toBe("E_BAD_INPUT");
    expect((await failure(wc.getObject(job.bundle!, "b".repeat(64)))).code).toBe("E_NOT_FOUND");
    const raw = await fetch(`${server.url}/api/bundles/${job.bundle}/objects/..%2F..%2Ftoken`, {
      headers: { Authorization: `Bearer ${server.token}` },
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { error: { code: string } }).error.code).toBe("E_BAD_INPUT");
  });

  test("a worker refuses a manifest that would write outside its folder or is not the bundle", () => {
    const file = { path: "../escape.sh", hash: "c".repeat(64), size: 1, mode: 0o644 };
    const evil = { hash: bundleHash([file]), files: [file], size: 1 };
    expect(() => checkManifest(evil.hash, evil)).toThrow(/not a relative path/);
    const fine = { ...file, path: "ok.sh" };
    expect(() =>
      checkManifest("d".repeat(64), { hash: "d".repeat(64), files: [fine], size: 1 }),
    ).toThrow(/do not hash/);
  });
});

describe("ad-hoc runs and silent workers", () => {
  test("POST /api/runs makes a PENDING run with no deployment for an online worker only", async () => {
    const before = (await client.listRuns({ limit: 1000 })).runs.length;
    const unknown = await failure(wc.createAdHocRun({ flow: "x.ts", worker_id: "nope" }));
    expect(unknown.code).toBe("E_BAD_INPUT");
    expect((await client.listRuns({ limit: 1000 })).runs.length).toBe(before);

    const worker = await wc.register({
      name: "flow-run",
      pool: "ad-hoc",
      host: "h",
      concurrency: 1,
    });
    const run = await wc.createAdHocRun({
      flow: "flows/x.ts",
      parameters: { n: 2 },
      worker_id: worker.id,
    });
    expect(run).toMatchObject({
      deployment: null,
      state: "PENDING",
      worker: worker.id,
      parameters: { n: 2 },
      work_pool: "ad-hoc",
    });
    // No worker claims it, and a retry is refused once it ends.
    expect((await wc.claim(worker.id, { limit: 1, held: [run.id] })).jobs).toEqual([]);
    await wc.reportState(worker.id, run.id, { type: "RUNNING" });
    await wc.reportState(worker.id, run.id, { type: "FAILED", exit_code: 1 });
    expect((await failure(client.retryRun(run.id))).code).toBe("E_CONFLICT");
    await wc.offline(worker.id);
  });

  test("with no embedded worker, a silent worker is still marked offline and its runs CRASHED", async () => {
    const { worker, run } = await claimedRun("silent");
    await wc.reportState(worker.id, run.id, { type: "RUNNING", pid: NO_SUCH_PID });
    const crashed = await waitForRun(server.store, run.id, "CRASHED", 10_000);
    expect(crashed.state_message).toMatch(/stopped heartbeating/);
    expect((await failure(wc.heartbeat(worker.id))).code).toBe("E_CONFLICT");
  });
});
