import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { specWithDefaults } from "../../src/core/index.ts";
import {
  listDeploymentsSql,
  MARK_SOURCE_SQL,
  NAME_GUESSES_SQL,
  WITH_TRIGGERS_AMONG_SQL,
} from "../../src/store/deployments.ts";
import {
  deploymentsWithTriggers,
  getDeploymentOrThrow,
  listDeployments,
  markSourceInvalid,
  openStore,
  removeDeployment,
  type Store,
  upsertDeployment,
} from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { tempDir } from "../helpers.ts";

// A project of thousands of deployments: each deploy pass marks every file's deployments valid,
// and the server arms triggers and file arrivals from the deployments with a trigger. Both are
// read along an index, never by reading every deployment (its spec parsed), which held the
// server's thread for tens of milliseconds at 10,000. The plans come from SQLite itself.

let store: Store;
let cleanup = () => {};

beforeAll(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  store = openStore(join(t.dir, "orch.db"));
  store.tx(() => {
    for (let i = 0; i < 300; i++) {
      const triggers =
        i % 100 === 7 ? [{ on: "flow-run.completed", match: {}, parameters: {} }] : [];
      const spec = specWithDefaults({ name: `d${i}`, command: ["true"], triggers });
      upsertDeployment(store, {
        spec,
        hash: `h${i}`,
        bundle: null,
        sourceFile: `flows/f${i % 3}.yaml`,
        sourceLine: i + 1,
      });
    }
  });
});
afterAll(() => {
  store.close();
  cleanup();
});

/**
 * SQLite's plan of `sql`. Prepared apart from the store's cached statements and finalized at
 * once: the plan of an UPDATE…RETURNING is a statement of its own, which must not stay open on
 * the store's connection after the test has read it.
 */
const plan = (sql: string, ...args: (string | number)[]) => {
  const statement = rawSqliteForTests(store).prepare(`EXPLAIN QUERY PLAN ${sql}`);
  try {
    return (statement.all(...args) as { detail: string }[]).map((r) => r.detail);
  } finally {
    statement.finalize();
  }
};

test("the deployments with a trigger are found along their own index, in name order", () => {
  expect(listDeployments(store, { withTriggers: true }).map((d) => d.name)).toEqual([
    "d107",
    "d207",
    "d7",
  ]);
  for (const all of [false, true]) {
    const steps = plan(listDeploymentsSql({ all, withTriggers: true }));
    expect(steps[0]).toBe("SCAN d USING INDEX deployments_with_triggers");
    expect(steps.join("\n")).not.toContain("TEMP B-TREE");
  }
});

test("of many deployments just changed, those with a trigger are found by a probe of their index each", () => {
  const changed = Array.from({ length: 150 }, (_, i) => `d${i * 2}`);
  expect(deploymentsWithTriggers(store, changed)).toEqual([]);
  expect(deploymentsWithTriggers(store, ["d7", "d8", "d207", "nope"]).map((d) => d.name)).toEqual([
    "d207",
    "d7",
  ]);
  expect(plan(WITH_TRIGGERS_AMONG_SQL, JSON.stringify(changed))[0]).toBe(
    "SEARCH d USING INDEX deployments_with_triggers (name=?)",
  );
});

test("an unknown name's guess reads the names of deployments not removed along their own index", () => {
  const message = (name: string) => {
    try {
      getDeploymentOrThrow(store, name);
    } catch (error) {
      return (error as Error).message;
    }
  };
  expect(message("d12x")).toBe('no deployment named "d12x"; did you mean "d12"?');
  expect(message("d249x")).toContain('did you mean "d249"?');
  removeDeployment(store, "d249", "gone");
  expect(message("d249x")).toMatch(/did you mean "d\d+"\?$/);
  expect(message("d249x")).not.toContain('"d249"');
  expect(plan(NAME_GUESSES_SQL, 2, 6)).toEqual([
    "SEARCH deployments USING COVERING INDEX deployments_live_names (<expr>>? AND <expr><?)",
    "USE TEMP B-TREE FOR ORDER BY",
  ]);
});

test("marking a file's deployments reads only those whose mark changes", () => {
  expect(markSourceInvalid(store, "flows/f1.yaml", true)).toHaveLength(100);
  expect(markSourceInvalid(store, "flows/f1.yaml", true)).toEqual([]);
  expect(listDeployments(store).filter((d) => d.source_invalid === 1)).toHaveLength(100);
  expect(markSourceInvalid(store, "flows/f1.yaml", false)).toHaveLength(100);
  expect(markSourceInvalid(store, "flows/f2.yaml", false)).toEqual([]);
  expect(plan(MARK_SOURCE_SQL, 1, "flows/f1.yaml", 0)).toEqual([
    "SEARCH deployments USING INDEX deployments_by_source (source_file=? AND source_invalid=?)",
  ]);
});
