import { expect, test } from "vitest";
import { createRun, listEvents, openStore, upsertTaskRuns } from "../../src/store/index.ts";
import { tempDir } from "../helpers.ts";

test("a task report records one task-run.updated event for its run, naming the tasks that failed", () => {
  const t = tempDir("orch-task-events-");
  const store = openStore(`${t.dir}/orch.db`);
  try {
    const run = createRun(store, { deployment: "etl", retries: 0 });
    const at = Date.now();
    const task = (id: string, name: string, state: string) => ({
      id,
      name,
      state,
      attempts: 1,
      started_at: at,
      ended_at: state === "RUNNING" ? null : at,
    });
    upsertTaskRuns(store, run, [task("1", "extract", "COMPLETED"), task("2", "load", "RUNNING")]);
    upsertTaskRuns(store, run, [task("2", "load", "FAILED"), task("3", "load", "FAILED")]);
    const events = listEvents(store, { prefix: "task-run." }).reverse();
    expect(events.map((e) => [e.name, e.resource, JSON.parse(e.payload)])).toEqual([
      ["task-run.updated", run.id, { deployment: "etl", tasks: 2, failed: [] }],
      ["task-run.updated", run.id, { deployment: "etl", tasks: 2, failed: ["load"] }],
    ]);
  } finally {
    store.close();
    t.cleanup();
  }
});
