import { expect, test } from "vitest";
import {
  createRun,
  getRunOrThrow,
  runHistory,
  setRunVersion,
  transitionRun,
} from "../../src/store/index.ts";
import { storeForEachTest } from "./temp-store.ts";

const store = storeForEachTest();

/** Run `id` once through: claimed, started, ended in `end`. */
function attempt(id: string, end: "FAILED" | "COMPLETED") {
  transitionRun(store(), id, { type: "PENDING" });
  transitionRun(store(), id, { type: "RUNNING" });
  transitionRun(store(), id, { type: end });
}

test("each attempt keeps the version it ran when a retry moves the run to another", () => {
  const run = createRun(store(), { deployment: "etl", version: 3, retries: 0 });
  attempt(run.id, "FAILED");
  // A user's retry on the deployment's active version, as retryRun does.
  setRunVersion(store(), run.seq, 4);
  transitionRun(store(), run.id, { type: "SCHEDULED", message: "retried by user" }, {}, "user");
  attempt(run.id, "COMPLETED");
  const { states, attempts } = runHistory(store(), run.seq);
  expect(attempts.map((a) => [a.attempt, a.version])).toEqual([
    [1, 3],
    [2, 4],
  ]);
  // The run's own version is the latest attempt's; the starts are those of the history.
  expect(getRunOrThrow(store(), run.id).version).toBe(4);
  const starts = states.filter((s, i) => s.type === "RUNNING" && states[i - 1]?.type === "PENDING");
  expect(attempts.map((a) => a.started_at)).toEqual(starts.map((s) => s.at));
});

test("an ad-hoc run's attempts have no version", () => {
  const run = createRun(store(), { retries: 0 });
  attempt(run.id, "COMPLETED");
  expect(runHistory(store(), run.seq).attempts).toEqual([
    expect.objectContaining({ attempt: 1, version: null }),
  ]);
});
