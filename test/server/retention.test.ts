import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { projectPaths } from "../../src/core/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { openStore } from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { tempDir } from "../helpers.ts";

const DAY = 86_400_000;
let cleanup = () => {};
let server: OrchServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  cleanup();
});

/** A project whose store already holds `old` runs that ended a month ago, and a few recent ones. */
function projectWithHistory(old: number, flows: string): string {
  const t = tempDir();
  cleanup = t.cleanup;
  mkdirSync(join(t.dir, "flows"));
  writeFileSync(join(t.dir, "flows/a.yaml"), flows);
  const paths = projectPaths(t.dir, {});
  mkdirSync(paths.data, { recursive: true, mode: 0o700 });
  const store = openStore(paths.db);
  const db = rawSqliteForTests(store);
  const now = Date.now();
  // Made by SQLite itself, a row per number: far quicker than a statement per row from here.
  const numbers = "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)";
  db.transaction(() => {
    db.query(
      `${numbers} INSERT INTO flow_runs (id, deployment, state_type, state_name, state_at,
         scheduled_at, started_at, ended_at, created_at, attempt)
       SELECT lower(hex(randomblob(16))), 'etl', 'COMPLETED', 'Completed', t, t - 5, t - 5, t,
         t - 5, 1
       FROM (SELECT CASE WHEN i < ? THEN ? + i ELSE ? + i END AS t FROM n)`,
    ).run(old + 9, old, now - 30 * DAY, now - 1000 - old);
    for (let copy = 0; copy < 2; copy++) {
      db.query(
        `INSERT INTO log_lines (run_seq, at, stream, line)
         SELECT seq, ended_at, 'stdout', seq || ' ' || ? FROM flow_runs`,
      ).run("x".repeat(120));
    }
    db.query(
      `INSERT INTO events (name, resource, payload, at)
       SELECT 'flow-run.completed', id, '{}', ended_at FROM flow_runs`,
    ).run();
  })();
  store.close();
  return t.dir;
}

const sizeOf = (dir: string) =>
  readdirSync(join(dir, ".orch"))
    .filter((f) => f.startsWith("orch.db"))
    .reduce((sum, f) => sum + statSync(join(dir, ".orch", f)).size, 0);

test("retention shrinks a store of 100,000 runs on disk while the API answers", async () => {
  const dir = projectWithHistory(
    100_000,
    `retention: { runs: 7d, events: 7d }
deployments:
  - name: etl
    command: ["true"]
`,
  );
  const before = sizeOf(dir);
  server = await startServer({
    dir,
    port: 0,
    worker: false,
    retention: { firstDelayMs: 3_600_000 },
  });
  const client = createClient({ url: server.url, token: server.token });

  // Ask the API all along the pass; every answer must come (its latency is a figure of npm run bench).
  let probing = true;
  let answered = 0;
  const probe = (async () => {
    while (probing) {
      const { runs } = await client.listRuns({ limit: 1 });
      expect(runs).toHaveLength(1);
      answered++;
    }
  })();
  const pass = await server.runRetention();
  probing = false;
  await probe;

  expect(pass.runs).toBe(100_000);
  expect(pass.log_lines).toBe(200_000);
  expect(pass.events).toBe(100_000);
  expect(pass.vacuumed_bytes).toBeGreaterThan(0);
  expect(answered).toBeGreaterThan(1);
  const { runs: left } = await client.listRuns({ limit: 100 });
  expect(left).toHaveLength(10);
  await server.stop();
  server = undefined;
  const after = sizeOf(dir);
  // The file gave the space back: most of it was the deleted runs.
  expect(after).toBeLessThan(before / 4);
}, 600_000);

test("a deployment's own retention (a count) goes over the project's; logs can go before their runs", async () => {
  const dir = projectWithHistory(
    50,
    `retention: { runs: 90d, logs: 7d }
deployments:
  - name: etl
    command: ["true"]
    retention: { runs: 20 }
`,
  );
  server = await startServer({
    dir,
    port: 0,
    worker: false,
    retention: { firstDelayMs: 3_600_000 },
  });
  const pass = await server.runRetention();
  // etl keeps its newest 20 runs (of 60); of those, the month-old ones lose their logs.
  expect(pass.runs).toBe(40);
  const client = createClient({ url: server.url, token: server.token });
  const { runs } = await client.listRuns({ limit: 100 });
  expect(runs).toHaveLength(20);
  const oldKept = runs.filter((r) => Date.parse(r.ended_at!) < Date.now() - DAY);
  expect(oldKept).toHaveLength(10);
  for (const run of oldKept) expect(await client.runLogs(run.id)).toEqual([]);
  const recent = runs.find((r) => Date.parse(r.ended_at!) > Date.now() - DAY)!;
  expect(await client.runLogs(recent.id)).toHaveLength(2);
});
