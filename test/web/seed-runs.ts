/**
 * Many finished runs in a project's store before `orch up` opens it: the runs page's tests and
 * benchmark list 10,000 of them without waiting for 10,000 processes. Written as rows in one
 * transaction (the store's verbs take about 7 ms a run with their events and history, a minute
 * for 10,000), as the API's benchmark seeds its million runs.
 */
import { projectPaths } from "../../src/core/index.ts";
import { ensureDataDir, openStore } from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";

/** The end state of seeded run `i`: one in 10 FAILED, one in 25 CANCELLED, the rest COMPLETED. */
export function seededState(i: number): "COMPLETED" | "FAILED" | "CANCELLED" {
  return i % 10 === 0 ? "FAILED" : i % 25 === 0 ? "CANCELLED" : "COMPLETED";
}

const NAMES = { COMPLETED: "Completed", FAILED: "Failed", CANCELLED: "Cancelled" } as const;

/**
 * Seed `count` finished runs of `deployment` into the project at `dir`: run i (from 1, the
 * oldest) is named `seeded i`, tagged `seeded`, starts i minutes after a start `count` minutes
 * and an hour ago, and lasts 1-60 s.
 */
export function seedRuns(dir: string, count: number, deployment = "hello"): void {
  const paths = projectPaths(dir, {});
  ensureDataDir(paths);
  const store = openStore(paths.db);
  try {
    const db = rawSqliteForTests(store);
    const run = db.query(
      `INSERT INTO flow_runs (id, deployment, name, parameters, tags, state_type, state_name,
         state_message, state_at, attempt, scheduled_at, started_at, ended_at, exit_code,
         created_by, created_at, listed_at)
       VALUES (?, ?, ?, '{}', '["seeded"]', ?, ?, ?, ?, 1, ?, ?, ?, ?, 'api', ?, ?) RETURNING seq`,
    );
    const tag = db.query("INSERT INTO flow_run_tags (run_seq, tag) VALUES (?, 'seeded')");
    const base = Date.now() - 3_600_000 - count * 60_000;
    store.tx(() => {
      for (let i = 1; i <= count; i++) {
        const at = base + i * 60_000;
        const end = at + 1000 + ((i * 7919) % 59_000);
        const state = seededState(i);
        const { seq } = run.get(
          crypto.randomUUID(),
          deployment,
          `seeded ${i}`,
          state,
          NAMES[state],
          state === "FAILED" ? "exit code 1" : "",
          end,
          at,
          at,
          end,
          state === "FAILED" ? 1 : 0,
          at,
          // Listed where a run of that due time is (core's runListedAt).
          at,
        ) as { seq: number };
        tag.run(seq);
      }
    });
  } finally {
    store.close();
  }
}
