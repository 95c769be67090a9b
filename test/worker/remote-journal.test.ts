import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Client, createClient, createWorkerClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { runStates } from "../../src/store/index.ts";
import { type JournalReport, startRemoteWorker, toStateReport } from "../../src/worker/index.ts";
import { tempDir } from "../helpers.ts";
import { eventually, waitForRun } from "./helpers.ts";

let server: OrchServer;
let project: { dir: string; cleanup: () => void };
let elsewhere: { dir: string; cleanup: () => void };
let client: Client;

beforeAll(async () => {
  project = tempDir();
  elsewhere = tempDir();
  await Bun.write(
    join(project.dir, "flows/a.yaml"),
    `deployments:\n  - name: quick\n    command: ["echo", "quick"]\n`,
  );
  server = await startServer({ dir: project.dir, port: 0, worker: false, staleAfterMs: 3000 });
  client = createClient({ url: server.url, token: server.token });
});
afterAll(async () => {
  await server.stop();
  project.cleanup();
  elsewhere.cleanup();
});

test("a kept report the rules refuse (its run was retried meanwhile) is dropped once, saying why; the worker then runs the retry", async () => {
  // A worker that ran the run's first attempt, then went silent: orch CRASHED the run, and the
  // user retried it. The worker's end of that attempt never reached orch: it is in its journal.
  const protocol = createWorkerClient(client);
  const gone = await protocol.register({
    name: "gone",
    pool: "default",
    host: "h",
    concurrency: 1,
  });
  const run = await client.triggerRun("quick");
  const claimed = await protocol.claim(gone.id, { limit: 1 });
  expect(claimed.jobs.map((j) => j.run_id)).toEqual([run.id]);
  expect((await protocol.startRun(gone.id, run.id, { attempt: 1 })).start).toBe(true);
  await protocol.reportState(gone.id, run.id, toStateReport({ type: "RUNNING" }, { attempt: 1 }));
  await protocol.offline(gone.id);
  await waitForRun(server.store, run.id, "CRASHED");
  await client.retryRun(run.id);
  const reports = join(elsewhere.dir, "reports");
  mkdirSync(reports);
  // Named for a process that is gone (a pid no process has now).
  const pid = Bun.spawnSync(["true"]).pid;
  const end = toStateReport({ type: "COMPLETED" }, { attempt: 1, exitCode: 0 });
  writeFileSync(
    join(reports, `${pid}-1-1.jsonl`),
    `${JSON.stringify({ id: 1, report: { kind: "state", workerId: gone.id, runId: run.id, report: end } })}\n`,
  );

  const said: string[] = [];
  const keep = (...args: unknown[]) => said.push(args.join(" "));
  const worker = await startRemoteWorker({
    client: protocol,
    pool: "default",
    bundlesDir: join(elsewhere.dir, "bundles"),
    workDir: elsewhere.dir,
    token: server.token,
    logger: { info: keep, warn: keep, error: keep },
  });
  try {
    // It started once the kept report was answered: refused (no worker holds the run now).
    const refused = said.filter((s) => s.includes(`run ${run.id}: orch refused state COMPLETED`));
    expect(refused).toEqual([expect.stringMatching(/which is dropped: .*not held by worker/)]);
    const done = await waitForRun(server.store, run.id, "COMPLETED");
    expect(done).toMatchObject({ attempt: 2, worker_id: worker.id });
    // One end only: the retry's.
    const ends = runStates(server.store, done.seq).filter((s) => s.type === "COMPLETED");
    expect(ends).toHaveLength(1);
    // Nothing is owed: the worker's own journal, kept open, holds only its header.
    await eventually(
      () =>
        readdirSync(reports).every(
          (f) => readFileSync(join(reports, f), "utf8").split("\n").filter(Boolean).length <= 1,
        ),
      5000,
      "nothing kept",
    );
  } finally {
    await worker.stop();
  }
  expect(readdirSync(reports)).toEqual([]);
  expect(said.filter((s) => s.includes("orch refused"))).toHaveLength(1);
});

/** A journal a worker of this host, now gone, left for `api`, keeping `reports`. */
function leaveJournal(dir: string, api: string, reports: JournalReport[]): string {
  const reportsDir = join(dir, "reports");
  mkdirSync(reportsDir, { recursive: true });
  const pid = Bun.spawnSync(["true"]).pid;
  const lines = reports.map((report, i) => `${JSON.stringify({ id: i + 1, report })}\n`);
  writeFileSync(
    join(reportsDir, `${hostname()}@${pid}-1-1.jsonl`),
    `{"api":"${api}"}\n${lines.join("")}`,
  );
  return reportsDir;
}

/** A worker that started a run's first attempt, and is still counted as running it. */
async function holding() {
  const protocol = createWorkerClient(client);
  const gone = await protocol.register({
    name: "gone",
    pool: "default",
    host: "h",
    concurrency: 1,
  });
  const run = await client.triggerRun("quick");
  const claimed = await protocol.claim(gone.id, { limit: 1 });
  expect(claimed.jobs.map((j) => j.run_id)).toEqual([run.id]);
  expect((await protocol.startRun(gone.id, run.id, { attempt: 1 })).start).toBe(true);
  await protocol.reportState(gone.id, run.id, toStateReport({ type: "RUNNING" }, { attempt: 1 }));
  return { protocol, gone, run };
}

function listening() {
  const said: string[] = [];
  const keep = (...args: unknown[]) => said.push(args.join(" "));
  return { logger: { info: keep, warn: keep, error: keep }, said };
}

/** Nothing owed: no journal, or only the running worker's header. */
const nothingOwed = (reports: string) =>
  readdirSync(reports).every(
    (f) => readFileSync(join(reports, f), "utf8").split("\n").filter(Boolean).length <= 1,
  );

test("a kept state orch already recorded (its answer was lost with the worker) counts as delivered, not refused", async () => {
  const { protocol, gone, run } = await holding();
  // The user cancels; the flow ends meanwhile: orch records its COMPLETED as CANCELLED. The
  // worker was killed before the answer came: the report is still in its journal.
  await client.cancelRun(run.id);
  const end = toStateReport({ type: "COMPLETED" }, { attempt: 1, exitCode: 0 });
  const recorded = await protocol.reportState(gone.id, run.id, end);
  expect(recorded.run.state).toBe("CANCELLED");
  const report = { kind: "state" as const, workerId: gone.id, runId: run.id, report: end };
  const elsewhere = tempDir();
  const reports = leaveJournal(elsewhere.dir, server.url, [report]);

  const { logger, said } = listening();
  const worker = await startRemoteWorker({
    client: protocol,
    pool: "default",
    bundlesDir: join(elsewhere.dir, "bundles"),
    workDir: elsewhere.dir,
    token: server.token,
    logger,
  });
  try {
    await eventually(() => nothingOwed(reports), 5000, "the kept state delivered");
    expect(said.filter((s) => s.includes("refused"))).toEqual([]);
    const detail = await client.getRun(run.id);
    expect(detail.states.filter((s) => s.type === "CANCELLED")).toHaveLength(1);
  } finally {
    await worker.stop();
    elsewhere.cleanup();
  }
});

test("a kept report orch keeps failing does not hold the worker back: it takes runs, says what is pending, and sends it once orch takes it", async () => {
  const { gone, run } = await holding();
  // A proxy in front of orch that fails the kept report's run's states with 503 until told.
  const proxy = failingProxy(`/api/workers/${gone.id}/runs/${run.id}/state`);
  const { protocol } = proxy;
  const end = toStateReport({ type: "COMPLETED" }, { attempt: 1, exitCode: 0 });
  const report = { kind: "state" as const, workerId: gone.id, runId: run.id, report: end };
  const elsewhere = tempDir();
  const reports = leaveJournal(elsewhere.dir, protocol.url, [report]);

  const { logger, said } = listening();
  const worker = await startRemoteWorker({
    client: protocol,
    pool: "default",
    bundlesDir: join(elsewhere.dir, "bundles"),
    workDir: elsewhere.dir,
    token: server.token,
    logger,
    resendWaitMs: 60_000,
  });
  try {
    expect(said).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^1 of the 1 report\\(s\\) a worker here left undelivered are not delivered yet \\(run\\(s\\) ${run.id}; orch answered: .*the proxy is failing.*\\): this worker takes runs meanwhile`,
        ),
      ),
    );
    const next = await client.triggerRun("quick");
    const done = await waitForRun(server.store, next.id, "COMPLETED");
    expect(done.worker_id).toBe(worker.id);
    expect((await client.getRun(run.id)).state).toBe("RUNNING");
    // Tried again and again meanwhile: said once, and orch (which answers) is never called lost.
    await eventually(() => proxy.failed >= 4, 10_000, "the kept report tried four times");
    expect(said.filter((s) => s.includes("orch failed state COMPLETED"))).toEqual([
      `run ${run.id}: orch failed state COMPLETED (the proxy is failing); sending it again with backoff, and this run's later reports after it`,
    ]);
    expect(said.filter((s) => /lost orch|cannot reach orch|reconnected/.test(s))).toEqual([]);
    proxy.failing = false;
    await waitForRun(server.store, run.id, "COMPLETED");
    await eventually(() => nothingOwed(reports), 5000, "nothing owed");
    expect(said).toContain(`run ${run.id}: orch took what it had failed; delivering the rest`);
  } finally {
    await worker.stop();
    proxy.server.stop(true);
    elsewhere.cleanup();
  }
});

/** A proxy in front of orch that fails requests to `stuck` with 503 while `failing`. */
function failingProxy(stuck: string) {
  const state = { failing: true, failed: 0 };
  const server_ = Bun.serve({
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      if (state.failing && url.pathname === stuck) {
        state.failed++;
        const error = { code: "E_INTERNAL", message: "the proxy is failing" };
        return Response.json({ error }, { status: 503 });
      }
      const body = req.method === "GET" ? undefined : await req.arrayBuffer();
      // orch answers requests addressed to it only: as a reverse proxy would, name it.
      const headers = new Headers(req.headers);
      headers.set("host", new URL(server.url).host);
      return fetch(`${server.url}${url.pathname}${url.search}`, {
        method: req.method,
        headers,
        body,
      });
    },
  });
  const protocol = createWorkerClient(
    createClient({ url: `http://127.0.0.1:${server_.port}`, token: server.token }),
  );
  return Object.assign(state, { server: server_, protocol });
}

test("a worker stopping with a kept report orch keeps failing leaves once the limit is past, keeping it", async () => {
  const { gone, run } = await holding();
  const proxy = failingProxy(`/api/workers/${gone.id}/runs/${run.id}/state`);
  const end = toStateReport({ type: "COMPLETED" }, { attempt: 1, exitCode: 0 });
  const report = { kind: "state" as const, workerId: gone.id, runId: run.id, report: end };
  const elsewhere = tempDir();
  const reports = leaveJournal(elsewhere.dir, proxy.protocol.url, [report]);
  const { logger, said } = listening();
  try {
    const worker = await startRemoteWorker({
      client: proxy.protocol,
      pool: "default",
      bundlesDir: join(elsewhere.dir, "bundles"),
      workDir: elsewhere.dir,
      token: server.token,
      logger,
      giveUpDeliveringMs: 300,
    });
    await worker.stop();
    expect(said).toContainEqual(
      expect.stringMatching(
        /^leaving without delivering 1 state\(s\) .* has failed them for .*they are kept in/,
      ),
    );
    expect(nothingOwed(reports)).toBe(false);
  } finally {
    proxy.server.stop(true);
    elsewhere.cleanup();
  }
  // The run is still the gone worker's to end: its report waits for the next worker.
  expect((await client.getRun(run.id)).state).toBe("RUNNING");
});
