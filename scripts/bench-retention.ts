/**
 * Retention benchmark: a real server over a store of 100,000 finished runs (two log lines and an
 * event each) that retention deletes; the API is asked all along. Prints one JSON line: the pass's
 * time, the file's size before and after, and the API's latency meanwhile (p50, p99, max).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectPaths } from "../src/core/index.ts";
import { startServer } from "../src/server/index.ts";
import { ensureDataDir, openStore } from "../src/store/index.ts";
import { rawSqliteForTests } from "../src/store/testing.ts";

const RUNS = Number(process.env.BENCH_RETENTION_RUNS ?? 100_000);
const DAY = 86_400_000;

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const round = (x: number) => Math.round(x * 100) / 100;
const mib = (bytes: number) => round(bytes / 1024 / 1024);

/** Runs that ended a month ago, made by SQLite itself (a row per number of a recursive CTE). */
function seed(dbPath: string, count: number): number {
  const started = performance.now();
  const store = openStore(dbPath);
  const db = rawSqliteForTests(store);
  db.transaction(() => {
    db.query(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO flow_runs (id, deployment, state_type, state_name, state_at, scheduled_at,
         started_at, ended_at, created_at, attempt, listed_at)
       SELECT lower(hex(randomblob(16))), 'd' || (i % 20), 'COMPLETED', 'Completed', t, t - 5,
         t - 5, t, t - 5, 1, t - 5
       FROM (SELECT i, ? + i AS t FROM n)`,
    ).run(count - 1, Date.now() - 30 * DAY);
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
  return (performance.now() - started) / 1000;
}

const storeSize = (data: string) =>
  readdirSync(data)
    .filter((f) => f.startsWith("orch.db"))
    .reduce((sum, f) => sum + statSync(join(data, f)).size, 0);

export async function benchRetention() {
  const root = mkdtempSync(join(tmpdir(), "orch-bench-retention-"));
  try {
    const paths = projectPaths(root, {});
    ensureDataDir(paths);
    const seedSeconds = seed(paths.db, RUNS);
    await Bun.write(
      join(paths.flows, "orch.yaml"),
      `retention: { runs: 7d, events: 7d }\ndeployments:\n  - name: d0\n    command: ["true"]\n`,
    );
    const before = storeSize(paths.data);
    const server = await startServer({ dir: root, port: 0, worker: false, retention: false });
    const latencies: number[] = [];
    let probing = true;
    const probe = (async () => {
      while (probing) {
        const t = performance.now();
        const res = await fetch(`${server.url}/api/runs?limit=1`, {
          headers: { authorization: `Bearer ${server.token}` },
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - t);
      }
    })();
    const started = performance.now();
    const pass = await server.runRetention();
    const seconds = (performance.now() - started) / 1000;
    probing = false;
    await probe;
    await server.stop();
    const after = storeSize(paths.data);
    return {
      runs: RUNS,
      seed_seconds: round(seedSeconds),
      pass_seconds: round(seconds),
      runs_deleted_per_second: Math.round(pass.runs / seconds),
      deleted: { runs: pass.runs, log_lines: pass.log_lines, events: pass.events },
      store_mib: { before: mib(before), after: mib(after) },
      api_during_pass_ms: {
        requests: latencies.length,
        p50: round(percentile(latencies, 50)),
        p99: round(percentile(latencies, 99)),
        max: round(Math.max(...latencies)),
        target_max: 50,
      },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.main) console.log(JSON.stringify(await benchRetention()));
