import { expect, test } from "vitest";
import {
  createRun,
  listEvents,
  openStore,
  pruneRuns,
  transitionRun,
} from "../../src/store/index.ts";
import { tempDir } from "../helpers.ts";

test("a prune that deletes anything says so in one project.pruned event (live views load again); one that deletes nothing is silent", async () => {
  const t = tempDir("orch-prune-event-");
  const store = openStore(`${t.dir}/orch.db`);
  try {
    for (let i = 0; i < 3; i++) {
      const run = createRun(store, { deployment: "etl", retries: 0 });
      transitionRun(store, run.id, { type: "CANCELLED" }, {}, "user");
    }
    const pruned = () => listEvents(store, { prefix: "project.pruned" });
    await pruneRuns(store, { rules: [{ runsBefore: 0 }] });
    expect(pruned()).toEqual([]);
    const counts = await pruneRuns(store, { rules: [{ runsBefore: Date.now() + 1 }] });
    expect(counts.runs).toBe(3);
    expect(pruned().map((e) => [e.resource, JSON.parse(e.payload)])).toEqual([
      [null, { runs: 3, log_lines: 0, events: 0 }],
    ]);
  } finally {
    store.close();
    t.cleanup();
  }
});
