import { expect, test } from "vitest";
import { type AttemptHistoryEntry, attemptsOf } from "../../src/core/index.ts";

const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 3, 0, s)).toISOString();

test("each start of a run's process is an attempt, with the version its start recorded", () => {
  const history: AttemptHistoryEntry[] = [
    { type: "SCHEDULED", at: at(0) },
    { type: "PENDING", at: at(1) },
    { type: "RUNNING", at: at(2), version: 1 },
    // An automatic retry: the same process's run goes back to waiting, then starts again.
    { type: "SCHEDULED", at: at(3) },
    { type: "PENDING", at: at(4) },
    { type: "RUNNING", at: at(5), version: 1 },
    // A subflow's retry inside the process (RUNNING to RUNNING) starts no attempt.
    { type: "RUNNING", at: at(6) },
    { type: "FAILED", at: at(7) },
    // A user's retry on a fixed version.
    { type: "SCHEDULED", at: at(8) },
    { type: "PENDING", at: at(9) },
    { type: "RUNNING", at: at(10), version: 2 },
    { type: "COMPLETED", at: at(11) },
  ];
  expect(attemptsOf(history)).toEqual([
    { attempt: 1, version: 1, started_at: at(2) },
    { attempt: 2, version: 1, started_at: at(5) },
    { attempt: 3, version: 2, started_at: at(10) },
  ]);
});

test("a run that never started has no attempt; one recorded before versions were kept has null", () => {
  expect(
    attemptsOf([
      { type: "SCHEDULED", at: at(0) },
      { type: "CANCELLED", at: at(1) },
    ]),
  ).toEqual([]);
  expect(
    attemptsOf([
      { type: "PENDING", at: at(0) },
      { type: "RUNNING", at: at(1) },
    ]),
  ).toEqual([{ attempt: 1, version: null, started_at: at(1) }]);
});
