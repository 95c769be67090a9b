/**
 * The API over a store of a million runs (part of `npm run bench -- --only api`): a real server,
 * driven over HTTP with the token as every client sends it.
 * - GET /api/runs?limit=50, p50/p99: the first page, later pages (by x-next-cursor), and filtered
 *   by deployment, by state and by tag; beside GET /api/health (the request path with no work)
 *   and the same page read straight from the store (no HTTP), in the same run; and each listing's
 *   query plan, which must use an index (no full scan, no sort of the whole table);
 * - 1,000 concurrent requests, all answered;
 * - health checks while a flow prints a million lines, and the lines stored per second beside the
 *   same command's lines read through a pipe in this process.
 * BENCH_API_RUNS and BENCH_API_LINES shrink it. Every wait has a deadline: a stall fails the
 * benchmark with where it stopped instead of hanging.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectPaths } from "../src/core/index.ts";
import { startServer } from "../src/server/index.ts";
import { ensureDataDir, listRuns, openStore, type RunFilter } from "../src/store/index.ts";
import { listRunsQuery, tagPath } from "../src/store/list-runs.ts";
import { rawSqliteForTests } from "../src/store/testing.ts";
import { pipeLinesPerSecond } from "./bench-pipe.ts";

const RUNS = Number(process.env.BENCH_API_RUNS ?? 1_000_000);
const LINES = Number(process.env.BENCH_API_LINES ?? 1_000_000);
/** Requests per listing measured. */
const SAMPLES = 200;

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const round = (x: number) => Math.round(x * 100) / 100;
const stats = (xs: number[]) => ({
  p50: round(percentile(xs, 50)),
  p99: round(percentile(xs, 99)),
});
const say = (line: string) => console.error(`bench million_runs: ${line}`);

/**
 * Fill the store with `count` finished runs over 100 deployments, in large transactions: one in
 * seven FAILED, one in a thousand CRASHED; every tenth tagged `etl`, every 10,000th `rare`.
 */
function seedRuns(dbPath: string, count: number): number {
  const store = openStore(dbPath);
  const started = performance.now();
  const db = rawSqliteForTests(store);
  const insert = db.query(
    `INSERT INTO flow_runs (id, deployment, parameters, state_type, state_name, state_at, scheduled_at, started_at, ended_at, exit_code, created_at, listed_at)
     VALUES (?, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const tag = db.query("INSERT INTO flow_run_tags (run_seq, tag) VALUES (?, ?)");
  const base = Date.now() - count * 1000;
  for (let done = 0; done < count; ) {
    const n = Math.min(50_000, count - done);
    store.tx(() => {
      for (let i = 0; i < n; i++) {
        const k = done + i;
        const [type, name, exit] =
          k % 1000 === 0
            ? ["CRASHED", "Crashed", null]
            : k % 7 === 0
              ? ["FAILED", "Failed", 1]
              : ["COMPLETED", "Completed", 0];
        const at = base + k * 1000;
        const { lastInsertRowid: seq } = insert.run(
          crypto.randomUUID(),
          `d${k % 100}`,
          type,
          name,
          at,
          at,
          at,
          at + 5,
          exit,
          at,
          at,
        );
        if (k % 10 === 0) tag.run(seq, "etl");
        if (k % 10_000 === 0) tag.run(seq, "rare");
      }
    });
    done += n;
  }
  store.close();
  return (performance.now() - started) / 1000;
}

/** The listings measured: each query string, and the store filter it asks for. */
const LISTINGS: Record<string, { query: string; filter: RunFilter }> = {
  all: { query: "", filter: {} },
  by_deployment: { query: "&deployment=d7", filter: { deployment: "d7" } },
  by_state: { query: "&state=FAILED", filter: { state: "FAILED" } },
  by_rare_state: { query: "&state=CRASHED", filter: { state: "CRASHED" } },
  by_tag: { query: "&tag=etl", filter: { tag: "etl" } },
  by_rare_tag: { query: "&tag=rare", filter: { tag: "rare" } },
};

/**
 * Where a query plan reads the whole table, or sorts what it read: only a rare tag's runs, read
 * from the tag's index, may be sorted (they are few by the store's choice of path).
 */
function planProblems(plan: string[], fromTag: boolean): string[] {
  return plan.filter(
    (line) =>
      /^SCAN r\b(?!.*USING)/.test(line) || (!fromTag && /USE TEMP B-TREE FOR ORDER BY/.test(line)),
  );
}

/** A real server over a store of RUNS finished runs (see the file's header). */
export async function benchMillionRuns() {
  const root = mkdtempSync(join(tmpdir(), "orch-bench-api-"));
  try {
    const paths = projectPaths(root, {});
    ensureDataDir(paths);
    say(`seeding ${RUNS} runs`);
    const seedSeconds = seedRuns(paths.db, RUNS);
    await Bun.write(
      join(paths.flows, "chatty.yaml"),
      `deployments:\n  - name: chatty\n    command: ["seq", "1", "${LINES}"]\n`,
    );
    say(`seeded in ${round(seedSeconds)} s; starting the server`);
    const server = await startServer({ dir: root, port: 0 });
    const headers = { authorization: `Bearer ${server.token}` };
    /** A GET answered 200, as JSON (and its headers); anything else fails the benchmark. */
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`, { headers });
      const body = await res.json();
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body)}`);
      return { body, next: res.headers.get("x-next-cursor") };
    };
    try {
      const health: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const t = performance.now();
        await get("/api/health");
        health.push(performance.now() - t);
      }
      const listings: Record<string, unknown> = {};
      const plansWithoutIndex: Record<string, string[]> = {};
      for (const [name, { query, filter }] of Object.entries(LISTINGS)) {
        say(`listing ${name}`);
        const first: number[] = [];
        const later: number[] = [];
        let cursor: string | null = null;
        for (let i = 0; i < SAMPLES; i++) {
          // Even requests read the first page; odd ones the page after the previous one read.
          const page = i % 2 === 1 && cursor ? `&cursor=${cursor}` : "";
          const t = performance.now();
          const { next } = await get(`/api/runs?limit=50${query}${page}`);
          (page ? later : first).push(performance.now() - t);
          cursor = next ?? null;
        }
        const direct: number[] = [];
        for (let i = 0; i < SAMPLES; i++) {
          const t = performance.now();
          listRuns(server.store, { ...filter, limit: 50 });
          direct.push(performance.now() - t);
        }
        const path = filter.tag ? tagPath(server.store, filter.tag, 50) : undefined;
        const paged = { ...filter, limit: 50, before: { at: Date.now(), seq: 1 } };
        const { sql, args } = listRunsQuery(paged, path);
        const plan = (
          rawSqliteForTests(server.store)
            .query(`EXPLAIN QUERY PLAN ${sql}`)
            .all(...args) as { detail: string }[]
        ).map((r) => r.detail);
        const problems = planProblems(plan, path === "from-tag");
        if (problems.length) plansWithoutIndex[name] = problems;
        listings[name] = {
          first_page_ms: stats(first),
          later_pages_ms: stats(later),
          store_only_ms: stats(direct),
          ...(path ? { tag_path: path } : {}),
          plan,
        };
      }
      say("1,000 requests at once");
      const t0 = performance.now();
      const answers = await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          fetch(`${server.url}${i % 2 ? "/api/health" : "/api/runs?limit=50"}`, { headers })
            .then(async (r) => {
              await r.arrayBuffer();
              return r.status;
            })
            .catch((e: Error) => e.message),
        ),
      );
      const burstMs = performance.now() - t0;
      const refused = answers.filter((s) => s !== 200);

      say(`a flow printing ${LINES} lines`);
      const pipeRate = await pipeLinesPerSecond(LINES);

      const posted = await fetch(`${server.url}/api/deployments/chatty/runs`, {
        method: "POST",
        headers,
        body: "{}",
      });
      const run = (await posted.json()) as { id: string };
      if (posted.status !== 201) throw new Error(`POST chatty: ${JSON.stringify(run)}`);
      const duringLogs: number[] = [];
      const logStart = performance.now();
      const deadline = logStart + 600_000;
      for (;;) {
        const t = performance.now();
        await get("/api/health");
        duringLogs.push(performance.now() - t);
        const { body } = await get(`/api/runs/${run.id}`);
        const state = (body as { state: string }).state;
        if (state === "COMPLETED") break;
        if (state === "FAILED" || state === "CRASHED") throw new Error(`the chatty run ${state}`);
        if (performance.now() > deadline) throw new Error(`the chatty run is still ${state}`);
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
      const firstPages = Object.values(listings).map(
        (l) => (l as { first_page_ms: { p99: number } }).first_page_ms.p99,
      );
      return {
        runs_in_store: RUNS,
        seed_seconds: round(seedSeconds),
        health_ms: stats(health),
        runs_page_ms: (listings.all as { first_page_ms: unknown }).first_page_ms,
        listings,
        plans_without_index: plansWithoutIndex,
        concurrent_1000: {
          answered: answers.length - refused.length,
          refused: [...new Set(refused)],
          seconds: round(burstMs / 1000),
        },
        health_during_logs: {
          lines: stored,
          lines_per_s: Math.round(stored / logSeconds),
          pipe_lines_per_s: pipeRate,
          ratio_to_pipe: round(stored / logSeconds / pipeRate),
          checks: duringLogs.length,
          max_ms: round(Math.max(...duringLogs)),
          p99_ms: round(percentile(duringLogs, 99)),
        },
        targets_met: {
          runs_page_p99_under_20ms: Math.max(...firstPages) < 20,
          every_listing_uses_an_index: Object.keys(plansWithoutIndex).length === 0,
          all_1000_answered: refused.length === 0,
          all_lines_stored: stored === LINES,
          health_within_50ms_during_logs: Math.max(...duringLogs) <= 50,
        },
      };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.main) console.log(JSON.stringify({ million_runs: await benchMillionRuns() }));
