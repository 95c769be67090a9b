import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
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
         scheduled_at, started_at, ended_at, created_at, attempt, listed_at)
       SELECT lower(hex(randomblob(16))), 'etl', 'COMPLETED', 'Completed', t, t - 5, t - 5, t,
         t - 5, 1, t - 5
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

// 20,000 runs: enough for hundreds of slices, each its own transaction, and a file that shrinks by
// tens of megabytes; the pass over 100,000 and the API's latency meanwhile are figures of
// `npm run bench -- --only retention`.
test("retention shrinks a store of 20,000 runs on disk, on its own thread, while the API answers", async () => {
  const dir = projectWithHistory(
    20_000,
    `retention: { runs: 7d, events: 7d }
deployments:
  - name: etl
    command: ["true"]
`,
  );
  const before = sizeOf(dir);
  const warnings: string[] = [];
  server = await startServer({
    dir,
    port: 0,
    worker: false,
    retention: { firstDelayMs: 3_600_000 },
    logger: { info() {}, warn: (...args) => warnings.push(args.join(" ")), error() {} },
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

  expect(pass.runs).toBe(20_000);
  expect(pass.log_lines).toBe(40_000);
  expect(pass.events).toBe(20_000);
  expect(pass.vacuumed_bytes).toBeGreaterThan(0);
  expect(answered).toBeGreaterThan(1);
  // It ran on its own thread, not on the server's.
  expect(warnings.filter((w) => w.includes("server's thread"))).toEqual([]);
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

test("result files no stored value names any more are removed, once they are an hour old", async () => {
  const dir = projectWithHistory(
    20,
    `retention: { runs: 7d }
deployments:
  - name: etl
    command: ["true"]
`,
  );
  const results = join(dir, ".orch/results");
  mkdirSync(results);
  const file = (name: string, ageMs: number) => {
    const path = join(results, `${name}.json`);
    writeFileSync(path, "[1]");
    const at = (Date.now() - ageMs) / 1000;
    utimesSync(path, at, at);
    return path;
  };
  // One result of a month-old run (deleted by this pass), one of a recent run (kept), one named
  // by nothing, and one named by nothing yet (just written: its row may be on its way).
  const store = openStore(join(dir, ".orch/orch.db"));
  const db = rawSqliteForTests(store);
  const name = (file: string, old: boolean) =>
    db
      .query(
        `UPDATE flow_runs SET result = ? WHERE id = (SELECT id FROM flow_runs WHERE ended_at ${old ? "<" : ">"} ? LIMIT 1)`,
      )
      .run(JSON.stringify({ file: `results/${file}.json`, size: 3 }), Date.now() - DAY);
  name("of-old-run", true);
  name("of-recent-run", false);
  store.close();
  const ofOld = file("of-old-run", 2 * DAY);
  const ofRecent = file("of-recent-run", 2 * DAY);
  const unnamed = file("unnamed", 2 * DAY);
  const young = file("young", 0);

  server = await startServer({
    dir,
    port: 0,
    worker: false,
    retention: { firstDelayMs: 3_600_000 },
  });
  const pass = await server.runRetention();
  expect(pass.runs).toBe(20);
  expect(pass.result_files).toBe(2);
  expect([ofOld, ofRecent, unnamed, young].map((p) => existsSync(p))).toEqual([
    false,
    true,
    false,
    true,
  ]);
});
