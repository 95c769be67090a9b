import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Client, createClient, createWorkerClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { runStates } from "../../src/store/index.ts";
import { startRemoteWorker, toStateReport } from "../../src/worker/index.ts";
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
