import { afterAll, beforeAll, expect, test } from "vitest";
import { createClient, createWorkerClient, type RunJson } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { AD_HOC_POOL } from "../../src/worker/index.ts";
import { tempDir } from "../helpers.ts";
import { createContract, type OpenApiDoc } from "./openapi-contract.ts";

const FLOWS = `deployments:
  - name: echo
    command: ["echo", "{{ parameters.n }}"]
    parameters: { n: 1 }
    tags: [contract]
    schedules:
      - cron: "0 3 * * *"
      - interval: 1h
    triggers:
      - on: contract.ping
        match: { resource: here }
        parameters: { n: 2 }
    concurrency: { limit: 2, collision: enqueue }
    retries: 1
    retry_delay: 5s
    timeout: 1m
  - name: hello
    flow: ./hello.ts
    work_pool: remote
    parameter_schema:
      type: object
      properties: { who: { type: string } }
  - name: doomed
    command: ["true"]
    work_pool: boxes
    job_variables: { memory: 64m }
work_pools:
  - name: boxes
    type: docker
    concurrency: 2
    job: { image: "debian:12", env: { A: "1" } }
`;

let server: OrchServer;
let cleanup: () => void;
let projectDir: string;
let doc: OpenApiDoc;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  projectDir = t.dir;
  await Bun.write(`${t.dir}/flows/a.yaml`, FLOWS);
  await Bun.write(`${t.dir}/flows/hello.ts`, 'export default async () => "hello";\n');
  // No embedded worker: the test plays the worker through the protocol, so every state is its own.
  server = await startServer({ dir: t.dir, port: 0, worker: false });
  doc = (await createClient({ url: server.url, token: server.token }).request(
    "GET",
    "/api/openapi.json",
  )) as OpenApiDoc;
});
afterAll(async () => {
  await server.stop();
  cleanup();
});

test("every route has a unique camelCase operationId and a declared success response", () => {
  const ids: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.operationId, where).toMatch(/^[a-z]+[A-Z][A-Za-z]*$/);
      ids.push(op.operationId!);
      const success = Object.entries(op.responses).filter(([status]) => /^2\d\d$/.test(status));
      expect(success, where).toHaveLength(1);
      const content = success[0]![1].content ?? {};
      expect(Object.keys(content).length, where).toBeGreaterThan(0);
      for (const [type, media] of Object.entries(content)) {
        expect(media.schema, `${where} ${type}`).toBeDefined();
        if (type === "application/json") expect(media.schema, where).not.toEqual({});
      }
      expect(op.responses["4XX"]?.content?.["application/json"]?.schema, where).toEqual({
        $ref: "#/components/schemas/Error",
      });
    }
  }
  expect(new Set(ids).size).toBe(ids.length);
  // A body is required where its schema requires a key; an empty one reads as {} elsewhere.
  const body = (path: string) =>
    (doc.paths[path]!.post as unknown as { requestBody: { required: boolean } }).requestBody;
  expect(body("/api/runs").required).toBe(true);
  expect(body("/api/deployments/{name}/runs").required).toBe(false);
  // The streams say so.
  expect(Object.keys(doc.paths["/api/events/stream"]!.get!.responses["200"]!.content!)).toEqual([
    "text/event-stream",
  ]);
  expect(Object.keys(doc.paths["/api/runs/{id}/logs"]!.get!.responses["200"]!.content!)).toEqual([
    "application/json",
    "text/event-stream",
  ]);
});

test("every route's live answer matches the schema the OpenAPI document declares for it", async () => {
  const contract = createContract(doc);
  // What broke the contract: kept, not thrown, so the client does not take it for a network error.
  const broken: string[] = [];
  const checked = async (req: Request) => {
    const res = await fetch(req);
    await contract.check(req.method, req.url, res).catch((e: Error) => broken.push(e.message));
    return res;
  };
  const checkMessage = (path: string, message: { event: string; data: unknown }) => {
    try {
      contract.checkMessage(path, message);
    } catch (error) {
      broken.push((error as Error).message);
    }
  };
  const client = createClient({ url: server.url, token: server.token, fetch: checked });
  const wc = createWorkerClient(client);

  // Server, deployments.
  await client.health();
  await client.request("GET", "/api/openapi.json");
  expect((await client.deploy()).unchanged).toContain("echo");
  expect((await client.listDeployments()).map((d) => d.name)).toEqual(["doomed", "echo", "hello"]);
  const echo = await client.getDeployment("echo");
  expect(echo.schedules).toHaveLength(2);
  expect(echo.concurrency).toEqual({ limit: 2, collision: "enqueue" });
  await client.pauseDeployment("echo");
  await client.resumeDeployment("echo");
  await client.removeDeployment("doomed");
  await client.listDeployments({ all: true });
  await client.listDeployments({ lastRuns: 3 });

  // Runs, and a remote worker that runs them through the protocol.
  const worker = await wc.register({
    name: "contract",
    pool: "default",
    host: "here",
    concurrency: 4,
  });
  await wc.heartbeat(worker.id);
  const run = await client.triggerRun("echo", { parameters: { n: 5 }, tags: ["t"] });
  const claim = await wc.claim(worker.id, { limit: 1 });
  expect(claim.jobs.map((j) => j.run_id)).toEqual([run.id]);
  expect((await wc.startRun(worker.id, run.id, { attempt: 1 })).start).toBe(true);
  await wc.reportState(worker.id, run.id, { type: "RUNNING", pid: process.pid });
  await wc.appendLogs(worker.id, run.id, {
    attempt: 1,
    first: 1,
    lines: [
      { at: Date.now(), stream: "stdout", line: "5" },
      { at: Date.now(), stream: "stderr", line: "careful", level: "warn", fields: { rows: 3 } },
    ],
  });
  // Tag slots: the running run takes one of a tag's limit, a second waits, both give back.
  const slot = (holder: string) =>
    client.request("POST", `/api/runs/${run.id}/slots`, { tag: "db", limit: 1, holder });
  expect(await slot("a")).toEqual({ acquired: true });
  expect(await slot("b")).toEqual({ acquired: false });
  expect(await client.request("GET", "/api/tag-slots")).toEqual({ db: 1 });
  expect(
    await client.request("POST", `/api/runs/${run.id}/slots/release`, { holder: "a" }),
  ).toEqual({ released: true });
  expect(await slot("b")).toEqual({ acquired: true });
  await client.request("POST", `/api/runs/${run.id}/tasks`, {
    tasks: [
      {
        id: "t1",
        name: "extract",
        state: "COMPLETED",
        attempts: 1,
        started_at: new Date().toISOString(),
        ended_at: new Date().toISOString(),
        cached: false,
        result: [1, 2, 3],
        run_attempt: 1,
        inputs_hash: "a".repeat(64),
      },
    ],
  });
  await client.request("POST", `/api/runs/${run.id}/result`, { value: { rows: 3 } });
  await client.request("POST", `/api/runs/${run.id}/artifacts`, {
    key: "report",
    type: "table",
    data: [{ rows: 3 }],
    task: "extract",
  });
  await wc.reportState(worker.id, run.id, { type: "COMPLETED", exit_code: 0 });
  const detail = await client.getRun(run.id);
  expect(detail.tasks.map((t) => t.name)).toEqual(["extract"]);
  expect(detail.result).toEqual({ value: { rows: 3 }, size: 10, file: null });
  expect((await client.getResult(run.id, "extract")).value).toEqual([1, 2, 3]);
  expect((await client.listArtifacts(run.id)).map((a) => a.key)).toEqual(["report"]);
  // The task cache, as a flow's process uses it.
  const entry = `/api/cache/extract/${"k".repeat(64)}`;
  await client.request("PUT", entry, { value: [1, 2, 3], expires: "1h", run_id: run.id });
  expect(((await client.request("GET", entry)) as { value: unknown }).value).toEqual([1, 2, 3]);
  expect((await client.listCache("extract")).map((e) => e.run_id)).toEqual([run.id]);
  expect(await client.clearCache("extract")).toEqual({ deleted: 1 });
  // The run ended: the slot it still held is free.
  expect(await client.request("GET", "/api/tag-slots")).toEqual({});
  expect((await client.runLogs(run.id)).map((l) => [l.line, l.level])).toEqual([
    ["5", "info"],
    ["careful", "warn"],
  ]);
  expect((await client.runLogs(run.id, { level: "warn" })).map((l) => l.fields)).toEqual([
    { rows: 3 },
  ]);
  expect((await client.runLogs(run.id, { grep: "5" })).map((l) => l.line)).toEqual(["5"]);
  expect((await client.getTaskResults(run.id)).tasks).toMatchObject([
    { name: "extract", value: [1, 2, 3], inputs_hash: "a".repeat(64) },
  ]);
  await client.retryRun(run.id, { fromFailed: false });
  await client.cancelRun(run.id);
  await client.listRuns({ deployment: "echo", planned: true });
  expect((await client.countRuns({ deployment: "echo", planned: true })).total).toBeGreaterThan(0);

  // What a flow's process asks: a subflow's run and its end, a pause its user resumes.
  const parent = await client.triggerRun("echo", { parameters: { n: 1 } });
  expect((await wc.claim(worker.id, { limit: 1 })).jobs.map((j) => j.run_id)).toEqual([parent.id]);
  await wc.reportState(worker.id, parent.id, { type: "RUNNING", pid: process.pid });
  const child = await client.request<RunJson>("POST", `/api/runs/${parent.id}/subflows`, {
    name: "child",
    parameters: { x: 1 },
  });
  expect(child.parent_id).toBe(parent.id);
  await client.request("POST", `/api/runs/${parent.id}/subflows/${child.id}/state`, {
    state: "COMPLETED",
  });
  expect(
    await client.request("POST", `/api/runs/${parent.id}/pause`, {
      key: "pause-1",
      timeout_ms: 60_000,
      input_schema: { type: "object" },
    }),
  ).toEqual({ resumed: false });
  const paused = await client.getRun(parent.id);
  expect(paused.pause?.key).toBe("pause-1");
  expect(paused.children?.map((c) => c.id)).toEqual([child.id]);
  expect((await client.resumeRun(parent.id, { ok: true })).state_name).toBe("Resuming");
  await client.cancelRun(parent.id);

  // A flow with a bundle, in a pool of its own: the job carries the spec and the bundle.
  const remote = await wc.register({
    name: "remote",
    pool: "remote",
    host: "here",
    concurrency: 1,
  });
  const hello = await client.triggerRun("hello", { parameters: { who: "you" } });
  const { jobs } = await wc.claim(remote.id, { limit: 1, wait_ms: 0 });
  expect(jobs.map((j) => j.run_id)).toEqual([hello.id]);
  const manifest = await wc.getBundle(jobs[0]!.bundle!);
  expect(
    new TextDecoder().decode(await wc.getObject(manifest.hash, manifest.files[0]!.hash)),
  ).toContain("hello");
  // An ad-hoc run, for a worker of its own as orch flow run registers one.
  const runner = await wc.register({
    name: "runner",
    pool: AD_HOC_POOL,
    host: "here",
    concurrency: 1,
  });
  const adHoc: RunJson = await wc.createAdHocRun({ flow: "./hello.ts", worker_id: runner.id });
  expect(adHoc.state).toBe("PENDING");
  // One with a retry (set as its flow reports it, once running): its failed attempt awaits
  // the retry, and its worker takes it back.
  const retried = await wc.createAdHocRun({ flow: "./hello.ts", worker_id: runner.id });
  await wc.reportState(runner.id, retried.id, { type: "RUNNING" });
  expect((await wc.setAdHocRetries(runner.id, retried.id, { retries: 1 })).state).toBe("RUNNING");
  const failed = await wc.reportState(runner.id, retried.id, { type: "FAILED", message: "no" });
  expect(failed.run.state_name).toBe("AwaitingRetry");
  expect((await wc.retakeAdHocRun(runner.id, retried.id)).state).toBe("PENDING");
  // The values its files name, for the worker that holds it (none set here: left out).
  expect(
    await wc.adHocRunValues(runner.id, retried.id, { secrets: ["none_set"], variables: [] }),
  ).toEqual({ secrets: {}, variables: {} });
  // It never said it started hello: that goes back to the queue, not CRASHED.
  expect((await wc.offline(remote.id)).crashed).toEqual([]);
  expect(await client.getRun(hello.id)).toMatchObject({
    state: "SCHEDULED",
    state_name: "Requeued",
  });
  expect((await wc.offline(runner.id)).crashed.sort()).toEqual([adHoc.id, retried.id].sort());
  await client.listWorkers();
  // Work pools: the types and templates definitions declare.
  expect((await client.listPools()).map((p) => [p.name, p.type])).toContainEqual([
    "boxes",
    "docker",
  ]);
  // doomed, which used it, was removed above: a removed deployment is not listed.
  expect(await client.getPool("boxes")).toMatchObject({
    concurrency: 2,
    job: { image: "debian:12", env: { A: "1" } },
    deployments: [],
  });
  expect((await client.listProblems()).files).toEqual([]);
  expect((await client.acknowledgeProblems()).notices).toEqual([]);
  // The web UI's one-time login codes.
  expect((await client.createLoginCode()).login_path).toMatch(/^\/login\?code=/);
  expect(await client.endWebSessions()).toEqual({ ended: true });

  // Secrets (never read back) and variables.
  await client.setSecret("contract_secret", "s3cret-value");
  expect((await client.listSecrets()).secrets.map((x) => x.name)).toEqual(["contract_secret"]);
  await client.removeSecret("contract_secret");
  await client.setVariable("region", "eu");
  expect((await client.getVariable("region")).value).toBe("eu");
  await client.listVariables();
  await client.removeVariable("region");

  // Events and webhooks; the streams are checked by their type, and an event's data too.
  const stream = client.streamEvents({ prefix: ["contract."] });
  const first = stream.next();
  const emitted = await client.emitEvent({ name: "contract.ping", resource: "here", payload: {} });
  const message = await first;
  expect((message.value as { data: { id: number } }).data.id).toBe(emitted.id);
  checkMessage("/api/events/stream", message.value!);
  await stream.return(undefined);
  await client.request("POST", "/hooks/contract", { ref: "main" });
  await client.listEvents({ prefix: "contract." });
  await client.listEvents({ name: "contract.*", since: "2020-01-01T00:00:00Z" });
  // Triggers with where their windows stand: echo's, which the ping above fired.
  expect(await client.listTriggers()).toContainEqual(
    expect.objectContaining({ deployment: "echo", kind: "reactive", on: "contract.ping" }),
  );
  // The run has ended: its log stream replays the lines, then ends with the run.
  const followed: string[] = [];
  for await (const m of client.followLogs(run.id)) {
    followed.push(m.event);
    checkMessage(`/api/runs/${run.id}/logs`, m);
  }
  expect(followed).toEqual(["log", "log", "end"]);
  await client.pruneRuns("30d", true);
  expect(await client.metrics()).toContain("# TYPE orch_flow_runs gauge");

  // Backfills: a plan, one started, listed, inspected, paused, resumed and cancelled.
  const range = { deployment: "echo", schedule: 1, from: "2026-01-01", to: "2026-01-03T23:00" };
  expect((await client.planBackfill(range)).total).toBe(3);
  const backfill = await client.createBackfill({ ...range, max_concurrency: 2 });
  await client.listBackfills();
  await client.getBackfill(backfill.id);
  await client.setBackfill(backfill.id, "pause");
  await client.setBackfill(backfill.id, "resume");
  await client.setBackfill(backfill.id, "cancel");
  expect((await client.wakeTimes("echo", 3)).times).toEqual([]); // no schedule with wake: true

  // A second version of echo, then back to the first.
  await Bun.write(`${projectDir}/flows/a.yaml`, FLOWS.replace("retries: 1", "retries: 2"));
  expect((await client.deploy()).updated).toContain("echo");
  expect((await client.rollbackDeployment("echo")).version).toBe(1);

  expect(broken).toEqual([]);
  const all = Object.values(doc.paths).flatMap((methods) =>
    Object.values(methods).map((op) => op.operationId!),
  );
  expect([...contract.seen].sort()).toEqual([...new Set(all)].sort());
});
