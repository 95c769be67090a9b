/**
 * API benchmark (`npm run bench -- --only api`), as users reach orch:
 * - through HTTP (bench-api-http.ts): `orch up` in its own process, runs triggered with POST and
 *   seen COMPLETED on the event stream, beside raw spawn and a bare Bun.serve in the same run;
 * - the peers on Bun (bench-peers.ts): BullMQ with Redis, graphile-worker with Postgres, each
 *   skipped with a line when its server is not installed;
 * - a real server over a store of a million runs: p99 of GET /api/runs?limit=50, 1,000
 *   concurrent requests all answered, and health checks while a flow prints a million lines.
 * Prints one JSON line.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectPaths } from "../src/core/index.ts";
import { startServer } from "../src/server/index.ts";
import { ensureDataDir, openStore } from "../src/store/index.ts";
import { rawSqliteForTests } from "../src/store/testing.ts";
import { benchApiHttp, type HttpBenchOptions } from "./bench-api-http.ts";
import { benchPeers } from "./bench-peers.ts";

const RUNS = Number(process.env.BENCH_API_RUNS ?? 1_000_000);
const LINES = Number(process.env.BENCH_API_LINES ?? 1_000_000);

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const round = (x: number) => Math.round(x * 100) / 100;

/** Fill the store with `count` finished runs, in large transactions. */
function seedRuns(dbPath: string, count: number): number {
  const store = openStore(dbPath);
  const started = performance.now();
  const insert = rawSqliteForTests(store).query(
    `INSERT INTO flow_runs (id, deployment, parameters, state_type, state_name, state_at, scheduled_at, started_at, ended_at, exit_code, created_at)
     VALUES (?, ?, '{}', ?, ?, ?, ?, ?, ?, 0, ?)`,
  );
  const states = [
    ["COMPLETED", "Completed"],
    ["FAILED", "Failed"],
  ] as const;
  const base = Date.now() - count * 1000;
  for (let done = 0; done < count; ) {
    const n = Math.min(50_000, count - done);
    store.tx(() => {
      for (let i = 0; i < n; i++) {
        const k = done + i;
        const [type, name] = states[k % 7 === 0 ? 1 : 0]!;
        const at = base + k * 1000;
        insert.run(crypto.randomUUID(), `d${k % 100}`, type, name, at, at, at, at + 5, at);
      }
    });
    done += n;
  }
  store.close();
  return (performance.now() - started) / 1000;
}

/** Through HTTP, the peers (with orch's ratio to each) and the store of a million runs. */
export async function benchApi(options: HttpBenchOptions) {
  const through_http = await benchApiHttp(options);
  const peers = await benchPeers(options);
  const orch = {
    p50_ms: through_http.trigger_to_completed_ms.orch_p50,
    runs_per_s: through_http.throughput_runs_per_s.orch,
  };
  const versus = Object.fromEntries(
    Object.entries(peers).map(([name, peer]) => [
      name,
      "skipped" in peer
        ? peer
        : {
            ...peer,
            orch_p50_ratio: Math.round((orch.p50_ms / peer.p50_ms) * 100) / 100,
            orch_runs_per_s_ratio: Math.round((orch.runs_per_s / peer.runs_per_s) * 100) / 100,
          },
    ]),
  );
  return { through_http, peers: versus, million_runs: await benchListing() };
}

/** A real server over a store of RUNS finished runs (see the file's header). */
async function benchListing() {
  const root = mkdtempSync(join(tmpdir(), "orch-bench-api-"));
  try {
    const paths = projectPaths(root, {});
    ensureDataDir(paths);
    const seedSeconds = seedRuns(paths.db, RUNS);
    await Bun.write(
      join(paths.flows, "chatty.yaml"),
      `deployments:\n  - name: chatty\n    command: ["seq", "1", "${LINES}"]\n`,
    );
    const server = await startServer({ dir: root, port: 0 });
    const headers = { authorization: `Bearer ${server.token}` };
    try {
      // p99 of one page of runs, newest first, and of a filtered page.
      const pageTimes: number[] = [];
      for (let i = 0; i < 300; i++) {
        const t = performance.now();
        const res = await fetch(`${server.url}/api/runs?limit=50${i % 2 ? "&deployment=d7" : ""}`);
        await res.json();
        pageTimes.push(performance.now() - t);
      }
      // 1,000 requests at once.
      const t0 = performance.now();
      const answers = await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          fetch(`${server.url}${i % 2 ? "/api/health" : "/api/runs?limit=50"}`).then(
            (r) => r.status,
          ),
        ),
      );
      const burstMs = performance.now() - t0;
      // Health while a run prints a million lines.
      const run = (await (
        await fetch(`${server.url}/api/deployments/chatty/runs`, {
          method: "POST",
          headers,
          body: "{}",
        })
      ).json()) as { id: string };
      const health: number[] = [];
      const logStart = performance.now();
      for (;;) {
        const t = performance.now();
        await (await fetch(`${server.url}/api/health`)).json();
        health.push(performance.now() - t);
        const r = (await (await fetch(`${server.url}/api/runs/${run.id}`)).json()) as {
          state: string;
        };
        if (r.state === "COMPLETED" || r.state === "FAILED" || r.state === "CRASHED") break;
        await Bun.sleep(10);
      }
      const logSeconds = (performance.now() - logStart) / 1000;
      const stored = (
        rawSqliteForTests(server.store)
          .query(
            "SELECT count(*) AS n FROM log_lines WHERE run_seq = (SELECT seq FROM flow_runs WHERE id = ?)",
          )
          .get(run.id) as { n: number }
      ).n;
      return {
        runs_in_store: RUNS,
        seed_seconds: round(seedSeconds),
        runs_page_ms: {
          p50: round(percentile(pageTimes, 50)),
          p99: round(percentile(pageTimes, 99)),
        },
        concurrent_1000: {
          answered: answers.filter((s) => s === 200).length,
          seconds: round(burstMs / 1000),
        },
        health_during_logs: {
          lines: stored,
          lines_per_s: Math.round(stored / logSeconds),
          checks: health.length,
          max_ms: round(Math.max(...health)),
          p99_ms: round(percentile(health, 99)),
        },
        targets_met: {
          runs_page_p99_under_20ms: percentile(pageTimes, 99) < 20,
          all_1000_answered: answers.every((s) => s === 200),
          health_within_50ms_during_logs: Math.max(...health) <= 50,
        },
      };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.main)
  console.log(JSON.stringify({ api: await benchApi({ runs: 500, latency: 200, concurrency: 8 }) }));
