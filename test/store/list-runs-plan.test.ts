import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runListedAt } from "../../src/core/index.ts";
import {
  createRun,
  listRuns,
  openStore,
  type RunFilter,
  type RunRow,
  type Store,
  transitionRun,
} from "../../src/store/index.ts";
import { listRunsQuery, tagPath } from "../../src/store/list-runs.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { tempDir } from "../helpers.ts";

// The runs listing must stay fast at a million runs: each of its queries is read along an index,
// never by a scan of flow_runs or a sort of all its rows. The plans are read from SQLite itself,
// so dropping or changing an index the listing relies on fails here.

const RUNS = 2000;
let store: Store;
let cleanup = () => {};
let now = 1_700_000_000_000;

beforeAll(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  store = openStore(join(t.dir, "orch.db"), { clock: { now: () => now } });
  store.tx(() => {
    for (let k = 0; k < RUNS; k++) {
      now += 1000;
      const tags = [...(k % 2 === 0 ? ["common"] : []), ...(k === 1234 ? ["rare"] : [])];
      const r = createRun(store, { deployment: `d${k % 10}`, tags });
      if (k % 3 === 0) continue;
      transitionRun(store, r.id, { type: "PENDING" });
      transitionRun(store, r.id, { type: "RUNNING" });
      transitionRun(store, r.id, { type: k % 7 === 0 ? "FAILED" : "COMPLETED" });
    }
  });
});
afterAll(() => {
  store.close();
  cleanup();
});

/** The plan SQLite makes for the listing of `filter`, one line per step. */
function plan(filter: RunFilter): string[] {
  const tag = filter.tag === undefined ? undefined : tagPath(store, filter.tag, 50);
  const { sql, args } = listRunsQuery({ limit: 50, ...filter }, tag);
  return (
    rawSqliteForTests(store)
      .query(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...args) as { detail: string }[]
  ).map((r) => r.detail);
}

/** The runs of the whole table that `keep` keeps, newest first, as the listing orders them. */
function expected(keep: (r: RunRow, tags: string[]) => boolean, limit = 50): string[] {
  const all = rawSqliteForTests(store).query("SELECT * FROM flow_runs").all() as RunRow[];
  const at = (r: RunRow) => runListedAt(r);
  return all
    .filter((r) => keep(r, JSON.parse(r.tags) as string[]))
    .sort((a, b) => at(b) - at(a) || b.seq - a.seq)
    .slice(0, limit)
    .map((r) => r.id);
}

const cursorOf = (r: RunRow) => ({ at: runListedAt(r), seq: r.seq });

describe("every listing reads along an index, first page and later ones", () => {
  // Each listing with what its index must be searched by: the filter's column, then time.
  const listings: Record<string, [RunFilter, RegExp]> = {
    all: [{}, /^(SCAN|SEARCH) r USING INDEX \S+( \(listed_at<\?\))?$/],
    "by deployment": [{ deployment: "d3" }, /^SEARCH r USING INDEX \S+ \(deployment=\?/],
    "by state": [{ state: "FAILED" }, /^SEARCH r USING INDEX \S+ \(state_type=\?/],
    "by a rare state": [{ state: "CRASHED" }, /^SEARCH r USING INDEX \S+ \(state_type=\?/],
    "by a common tag": [{ tag: "common" }, /^(SCAN|SEARCH) r USING INDEX \S+( \(listed_at<\?\))?$/],
    "by deployment and a common tag": [
      { deployment: "d4", tag: "common" },
      /^SEARCH r USING INDEX \S+ \(deployment=\?/,
    ],
  };
  for (const [name, [filter, search]] of Object.entries(listings)) {
    test(name, () => {
      const later = { ...filter, before: { at: now - 500_000, seq: RUNS / 2 } };
      for (const f of [filter, later]) {
        const steps = plan(f);
        expect(steps[0], steps.join(" | ")).toMatch(search);
        expect(steps.filter((s) => s.includes("TEMP B-TREE"))).toEqual([]);
      }
    });
  }

  test("a rare tag starts from its runs, a common one along the time index", () => {
    expect(tagPath(store, "rare", 50)).toBe("from-tag");
    expect(tagPath(store, "common", 50)).toBe("along-time");
    // From the tag: its few runs are found by the tag's own index, then sorted.
    expect(plan({ tag: "rare" })).toContain("SEARCH flow_run_tags USING PRIMARY KEY (tag=?)");
    expect(plan({ tag: "rare" }).join(" | ")).not.toMatch(/SCAN r\b/);
  });
});

test("each path lists the same runs as the whole table filtered and sorted", () => {
  const tagged = (tag: string) => (_: RunRow, tags: string[]) => tags.includes(tag);
  const ids = (f: RunFilter) => listRuns(store, { limit: 50, ...f }).map((r) => r.id);
  expect(ids({ tag: "common" })).toEqual(expected(tagged("common")));
  expect(ids({ tag: "rare" })).toEqual(expected(tagged("rare")));
  expect(ids({ tag: "nobody" })).toEqual([]);
  expect(ids({ deployment: "d4", tag: "common" })).toEqual(
    expected((r, tags) => r.deployment === "d4" && tags.includes("common")),
  );
  // Page by page, along the time index: every tagged run once, in order.
  const pages: string[] = [];
  let before: RunFilter["before"];
  for (;;) {
    const page = listRuns(store, { tag: "common", limit: 200, before });
    pages.push(...page.map((r) => r.id));
    if (page.length < 200) break;
    before = cursorOf(page.at(-1)!);
  }
  expect(pages).toEqual(expected(tagged("common"), RUNS));
});

test("the soonest planned runs are read earliest first from `since`, along an index, in one query", () => {
  // A deployment's planned future (scheduled ahead of now, by the schedule) behind its past.
  const from = now + 60_000;
  const planned = store.tx(() =>
    Array.from({ length: 30 }, (_, k) =>
      createRun(store, {
        deployment: k % 2 ? "d3" : "d4",
        createdBy: "schedule",
        scheduledAt: from + (29 - k) * 60_000,
      }),
    ),
  );
  const soonestFirst = [...planned].reverse();
  const filter: RunFilter = { state: "SCHEDULED", since: now, order: "soonest", limit: 5 };
  expect(listRuns(store, filter).map((r) => r.id)).toEqual(
    soonestFirst.slice(0, 5).map((r) => r.id),
  );
  // By deployment: its next runs, not the first of its whole past.
  expect(listRuns(store, { ...filter, deployment: "d3" }).map((r) => r.id)).toEqual(
    soonestFirst
      .filter((r) => r.deployment === "d3")
      .slice(0, 5)
      .map((r) => r.id),
  );
  // Paged on from the last one shown.
  const first = listRuns(store, filter);
  const next = listRuns(store, { ...filter, before: cursorOf(first.at(-1)!) });
  expect(next.map((r) => r.id)).toEqual(soonestFirst.slice(5, 10).map((r) => r.id));
  for (const f of [filter, { ...filter, deployment: "d3" }]) {
    const steps = plan(f);
    expect(steps[0], steps.join(" | ")).toMatch(
      /^SEARCH r USING INDEX \S+ \(\w+=\? AND listed_at>\?\)$/,
    );
    expect(steps.filter((s) => s.includes("TEMP B-TREE"))).toEqual([]);
  }
});
