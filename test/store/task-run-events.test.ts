import { expect, test } from "vitest";
import {
  createRun,
  listEvents,
  listTaskRuns,
  openStore,
  transitionRun,
  upsertTaskRuns,
} from "../../src/store/index.ts";
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

test("a run that leaves its process behind (timed out, cancelled, crashed) ends the task runs it left open; a late report opens none again", () => {
  const t = tempDir("orch-task-ends-");
  const store = openStore(`${t.dir}/orch.db`);
  try {
    const at = Date.now();
    const task = (id: string, state: string) => ({
      id,
      name: `task-${id}`,
      state,
      attempts: 1,
      started_at: at,
      ended_at: state === "RUNNING" || state === "SCHEDULED" ? null : at,
    });
    const tasksOf = (seq: number) =>
      listTaskRuns(store, seq).map((r) => [
        r.key,
        r.state,
        r.state_name,
        r.message,
        r.ended_at !== null,
      ]);
    const started = () => {
      const run = createRun(store, { deployment: "etl", retries: 0 });
      transitionRun(store, run.id, { type: "PENDING" });
      transitionRun(store, run.id, { type: "RUNNING" });
      upsertTaskRuns(store, run, [
        task("a", "COMPLETED"),
        task("b", "RUNNING"),
        task("c", "SCHEDULED"),
      ]);
      return run;
    };

    const timedOut = started();
    transitionRun(store, timedOut.id, {
      type: "FAILED",
      name: "TimedOut",
      message: "timed out after 1s",
    });
    expect(tasksOf(timedOut.seq)).toEqual([
      ["a", "COMPLETED", null, null, true],
      ["b", "CANCELLED", "Cancelled", "its flow run went TimedOut while it ran", true],
      ["c", "CANCELLED", "Cancelled", "its flow run went TimedOut while it ran", true],
    ]);
    // The process's last flush, after its run moved on, keeps what orch recorded.
    upsertTaskRuns(store, timedOut, [task("b", "RUNNING")]);
    expect(tasksOf(timedOut.seq)[1]).toEqual([
      "b",
      "CANCELLED",
      "Cancelled",
      expect.any(String),
      true,
    ]);

    const cancelled = started();
    transitionRun(store, cancelled.id, { type: "CANCELLING" }, {}, "user");
    // Still stopping: its tasks may still report.
    expect(tasksOf(cancelled.seq)[1]![1]).toBe("RUNNING");
    transitionRun(store, cancelled.id, { type: "CANCELLED" });
    expect(tasksOf(cancelled.seq).map((r) => [r[1], r[3]])).toEqual([
      ["COMPLETED", null],
      ["CANCELLED", "cancelled with its flow run"],
      ["CANCELLED", "cancelled with its flow run"],
    ]);

    const crashed = started();
    transitionRun(store, crashed.id, { type: "CRASHED", message: "its process vanished" });
    expect(tasksOf(crashed.seq).map((r) => r[1])).toEqual(["COMPLETED", "CRASHED", "CRASHED"]);

    // A run still running keeps its tasks as reported.
    const running = started();
    expect(tasksOf(running.seq).map((r) => r[1])).toEqual(["COMPLETED", "RUNNING", "SCHEDULED"]);
    const ended = listEvents(store, { prefix: "task-run." }).filter(
      (e) => e.resource === crashed.id,
    );
    expect(ended.map((e) => JSON.parse(e.payload).tasks)).toEqual([2, 3]);
  } finally {
    store.close();
    t.cleanup();
  }
});
