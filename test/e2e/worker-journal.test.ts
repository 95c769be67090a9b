import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { createClient, type RunDetail } from "../../src/client/index.ts";
import { reusablePort, spawnOrch, tempDir } from "../helpers.ts";
import { createMarker, type Marker } from "../processes.ts";

/**
 * A remote worker that finishes a run while orch is down, and is then stopped (or killed), still
 * owes orch the run's end: it keeps it in its journal (.orch-worker/reports/), and the next worker
 * started in that folder sends it, so the run's history tells how it truly ended, and when.
 */

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** One test's world: a project, a worker's folder elsewhere, and marked processes of orch. */
function setUp() {
  const project = tempDir("orch-journal-");
  const elsewhere = tempDir("orch-journal-worker-");
  cleanups.push(project.cleanup, elsewhere.cleanup);
  // The flow's processes carry one marker, orch's own another: each is found and stopped alone.
  const flow = createMarker("journal-flow");
  const own = createMarker("journal-orch");
  cleanups.push(() => flow.kill());
  mkdirSync(join(project.dir, "flows"));
  writeFileSync(
    join(project.dir, "flows/late.yaml"),
    `deployments:\n  - name: late\n    command: ["sh", "-c", "echo started; sleep 1.5; echo done"]\n    ${flow.yaml}\n  - name: next\n    command: ["sh", "-c", "echo next"]\n    ${flow.yaml}\n`,
  );
  const port = reusablePort();
  const url = `http://127.0.0.1:${port}`;
  return { project: project.dir, workerDir: elsewhere.dir, flow, own, port, url };
}

/** Start orch (marked), stopped with SIGKILL at the end of the test if still there. */
function start(args: string[], own: Marker, env: Record<string, string> = {}) {
  const p = spawnOrch(args, { env: { ...own.env, ...env } });
  cleanups.push(async () => {
    if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill("SIGKILL");
    await p.proc.exited;
  });
  return p;
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 20_000) {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await Bun.sleep(50)) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
  }
  throw new Error(`timed out waiting until ${what}`);
}

type World = ReturnType<typeof setUp>;

function startServer(w: World, workerTimeout: string) {
  return start(
    ["up", "--headless", "--no-worker", "--port", String(w.port), "--dir", w.project],
    w.own,
    { ORCH_WORKER_TIMEOUT: workerTimeout },
  );
}

function startWorker(w: World) {
  const token = join(w.project, ".orch/token");
  return start(
    ["worker", "--api", w.url, "--token-file", token, "--dir", w.workerDir, "--grace", "1s"],
    w.own,
  );
}

/**
 * Run `late` on a remote worker and kill orch while it runs; resolves once the flow has ended
 * with orch still down (its end is then only in the worker).
 */
async function finishWhileOrchIsDown(w: World, workerTimeout: string) {
  const up = startServer(w, workerTimeout);
  await up.waitFor("orch is up at", 15_000);
  const client = createClient({
    url: w.url,
    token: readFileSync(join(w.project, ".orch/token"), "utf8").trim(),
  });
  const worker = startWorker(w);
  await worker.waitFor("takes runs of pool default", 15_000);
  const run = await client.triggerRun("late");
  await until("the run RUNNING", async () => (await client.getRun(run.id)).state === "RUNNING");
  up.proc.kill("SIGKILL");
  await up.proc.exited;
  await until("the flow to end while orch is down", async () => w.flow.pids().length === 0);
  return { client, worker, runId: run.id };
}

/** The journal files in the worker's folder. */
const journals = (w: World) => readdirSync(join(w.workerDir, ".orch-worker/reports"));

/** No journal owes anything: each is gone, or holds only its header (a worker's, kept open). */
const nothingOwed = (w: World) =>
  journals(w).every(
    (f) =>
      readFileSync(join(w.workerDir, ".orch-worker/reports", f), "utf8")
        .split("\n")
        .filter(Boolean).length <= 1,
  );

/**
 * `overturned`: orch had counted the run CRASHED, and records the truth when it hears it (its
 * history and events keep their order); else the end is recorded at its time, as any report.
 */
function expectTrueEnd(run: RunDetail, backAt: number, overturned: boolean) {
  expect(run).toMatchObject({ state: "COMPLETED", exit_code: 0, attempt: 1 });
  // The end is when the flow ended on the worker, while orch was down, not when orch heard of it.
  const ended = Date.parse(run.ended_at!);
  expect(ended).toBeLessThan(backAt);
  expect(ended).toBeGreaterThan(Date.parse(run.started_at!));
  const last = run.states.at(-1)!;
  expect(last.type).toBe("COMPLETED");
  if (overturned) expect(Date.parse(last.at)).toBeGreaterThanOrEqual(backAt);
  else expect(Date.parse(last.at)).toBe(ended);
}

test("a worker stopped while orch is down keeps its finished run's end; its next start sends it and the run is COMPLETED at its true time", async () => {
  const w = setUp();
  const { client, worker, runId } = await finishWhileOrchIsDown(w, "1s");
  worker.proc.kill("SIGTERM");
  expect(await worker.proc.exited).toBe(0);
  expect(worker.stderr).toMatch(/leaving without delivering \d+ .*they are kept in .*reports/);
  expect(journals(w)).toHaveLength(1);

  // orch comes back and, hearing nothing from the worker, counts it lost: the run is CRASHED.
  const backAt = Date.now();
  const up = startServer(w, "1s");
  await up.waitFor("orch is up at", 15_000);
  await until("the run CRASHED", async () => (await client.getRun(runId)).state === "CRASHED");

  const again = startWorker(w);
  await again.waitFor("takes runs of pool default", 15_000);
  expect(again.stderr).toMatch(/sending \d+ report\(s\) that a worker here left undelivered/);
  const run = await until("the run COMPLETED", async () => {
    const r = await client.getRun(runId);
    return r.state === "COMPLETED" && r;
  });
  expectTrueEnd(run, backAt, true);
  expect(run.states.map((s) => s.type)).toEqual([
    "SCHEDULED",
    "PENDING",
    "RUNNING",
    "CRASHED",
    "COMPLETED",
  ]);
  // orch's guess stays in the history, before the truth that replaced it.
  expect(run.states.at(-2)!.message).toMatch(/stopped heartbeating/);
  expect(run.states.at(-1)!.message).toBe("exited with code 0");
  // The lines it printed while orch was down came with it.
  expect((await client.runLogs(runId)).map((l) => l.line)).toEqual(["started", "done"]);

  // Delivered, nothing is kept; stopped, the worker leaves no journal behind.
  await until("nothing kept", async () => nothingOwed(w));
  again.proc.kill("SIGTERM");
  expect(await again.proc.exited).toBe(0);
  expect(journals(w)).toEqual([]);
});

test("a worker killed -9 mid-write: the next one skips the half-written line, says so, sends the rest and takes new runs", async () => {
  const w = setUp();
  // orch counts workers lost only after a minute: the run is still RUNNING when the end arrives.
  const { client, worker, runId } = await finishWhileOrchIsDown(w, "60s");
  worker.proc.kill("SIGKILL");
  await worker.proc.exited;
  const [file] = journals(w);
  expect(file).toMatch(/^[\w.-]+@\d+-\d+-1\.jsonl$/);
  const path = join(w.workerDir, ".orch-worker/reports", file!);
  const lines = readFileSync(path, "utf8").split("\n").length;
  // The report it was writing as it died: half a line, no newline.
  appendFileSync(path, `{"id":999,"report":{"kind":"state","workerId":"`);

  const backAt = Date.now();
  const up = startServer(w, "60s");
  await up.waitFor("orch is up at", 15_000);
  const again = startWorker(w);
  await again.waitFor("takes runs of pool default", 15_000);
  expect(again.stderr).toContain(`${path}:${lines}: skipped a half-written last line`);
  const run = await until("the run COMPLETED", async () => {
    const r = await client.getRun(runId);
    return r.state === "COMPLETED" && r;
  });
  expectTrueEnd(run, backAt, false);
  expect(run.states.map((s) => s.type)).toEqual(["SCHEDULED", "PENDING", "RUNNING", "COMPLETED"]);

  // The worker goes on as usual: a new run is taken and ends.
  const next = await client.triggerRun("next");
  await until(
    "the next run COMPLETED",
    async () => (await client.getRun(next.id)).state === "COMPLETED",
  );
  // The journal it took over is gone, and with nothing owed the worker keeps none.
  await until("nothing kept", async () => nothingOwed(w));
});
