import { describe, expect, test } from "vitest";
import {
  childEnding,
  decideTransition,
  defaultName,
  type RunFacts,
  STATE_TYPES,
  type StateType,
} from "../../src/core/index.ts";

/**
 * The whole transition table, written out by hand: a row per current state, a column per proposed
 * state (each with its default name, proposed by the system, no retries left).
 * a = accepted, r = refused, n = no-op, C = replaced by CANCELLED.
 */
const TABLE = `
              SCHEDULED PENDING RUNNING COMPLETED FAILED CRASHED CANCELLING CANCELLED PAUSED
  SCHEDULED   n         a       r       r         r      r       r          a         r
  PENDING     a         n       a       r         a      a       a          a         r
  RUNNING     r         r       n       a         a      a       a          a         a
  COMPLETED   r         r       r       n         r      r       r          r         r
  FAILED      r         r       r       r         n      r       r          r         r
  CRASHED     r         r       r       r         r      n       r          r         r
  CANCELLING  r         r       r       C         C      a       n          a         r
  CANCELLED   r         r       r       r         r      r       r          n         r
  PAUSED      r         r       a       r         a      a       a          a         n
`;

function facts(type: StateType, extra: Partial<RunFacts> = {}): RunFacts {
  return { type, name: defaultName(type), attempt: 0, retriesLeft: 0, retryDelayMs: 0, ...extra };
}

const lines = TABLE.trim().split("\n");
const columns = lines[0]!.trim().split(/\s+/) as StateType[];
const cases = lines.slice(1).flatMap((line) => {
  const [from, ...cells] = line.trim().split(/\s+/);
  return cells.map((cell, i) => ({ from: from as StateType, to: columns[i]!, cell }));
});

describe("the transition table", () => {
  test("covers every pair of state types", () => {
    expect(columns).toEqual([...STATE_TYPES]);
    expect(cases).toHaveLength(STATE_TYPES.length ** 2);
  });

  test.each(cases)("$from -> $to is $cell", ({ from, to, cell }) => {
    const decision = decideTransition(facts(from), { type: to, message: "m" });
    switch (cell) {
      case "a":
        expect(decision).toEqual({
          verdict: "accept",
          state: { type: to, name: defaultName(to), message: "m" },
        });
        break;
      case "r":
        expect(decision.verdict).toBe("reject");
        if (decision.verdict === "reject") expect(decision.reason).toMatch(new RegExp(from));
        break;
      case "n":
        expect(decision).toEqual({ verdict: "noop" });
        break;
      case "C":
        expect(decision).toMatchObject({
          verdict: "accept",
          state: { type: "CANCELLED", name: "Cancelled" },
          replaced: expect.any(String),
        });
        break;
      default:
        throw new Error(`unknown cell ${cell}`);
    }
  });
});

describe("replacements and special cases", () => {
  test("RUNNING -> FAILED with retries left becomes AwaitingRetry after the retry delay", () => {
    const decision = decideTransition(facts("RUNNING", { retriesLeft: 2, retryDelayMs: 30_000 }), {
      type: "FAILED",
      message: "exit code 3",
    });
    expect(decision).toMatchObject({
      verdict: "accept",
      state: { type: "SCHEDULED", name: "AwaitingRetry", delayMs: 30_000 },
      replaced: expect.any(String),
    });
    if (decision.verdict === "accept") expect(decision.state.message).toMatch(/exit code 3/);
  });

  test("a timeout with retries left is retried too", () => {
    const decision = decideTransition(facts("RUNNING", { retriesLeft: 1 }), {
      type: "FAILED",
      name: "TimedOut",
    });
    expect(decision).toMatchObject({ verdict: "accept", state: { name: "AwaitingRetry" } });
  });

  test("a crash is never retried automatically", () => {
    const decision = decideTransition(facts("RUNNING", { retriesLeft: 3 }), { type: "CRASHED" });
    expect(decision).toMatchObject({ verdict: "accept", state: { type: "CRASHED" } });
  });

  test("an attempt orch itself cut short (its stop, a restart after it died) is retried while retries are left", () => {
    const stopped = { type: "CANCELLED", message: "orch was stopped", interrupted: true } as const;
    const crashed = { type: "CRASHED", message: "orch stopped", interrupted: true } as const;
    for (const proposed of [stopped, crashed]) {
      const decision = decideTransition(
        facts("RUNNING", { retriesLeft: 1, retryDelayMs: 5000 }),
        proposed,
      );
      expect(decision).toMatchObject({
        verdict: "accept",
        state: { type: "SCHEDULED", name: "AwaitingRetry", delayMs: 5000 },
      });
      if (decision.verdict === "accept") {
        expect(decision.state.message).toBe(
          `${proposed.message}; retrying (0 retries left after this one)`,
        );
      }
      // None left: it ends as proposed.
      expect(decideTransition(facts("RUNNING"), proposed)).toMatchObject({
        state: { type: proposed.type },
      });
    }
    expect(decideTransition(facts("PENDING", { retriesLeft: 1 }), crashed)).toMatchObject({
      state: { name: "AwaitingRetry" },
    });
    // A user's cancel is never undone.
    expect(decideTransition(facts("CANCELLING", { retriesLeft: 1 }), crashed)).toMatchObject({
      state: { type: "CRASHED" },
    });
  });

  test("PENDING -> FAILED (the process never started) is not retried, unless its reason may pass", () => {
    const decision = decideTransition(facts("PENDING", { retriesLeft: 3 }), { type: "FAILED" });
    expect(decision).toMatchObject({ verdict: "accept", state: { type: "FAILED" } });
    const notFound = { type: "FAILED", message: "command not found: etl", mayPass: true } as const;
    expect(decideTransition(facts("PENDING", { retriesLeft: 3 }), notFound)).toMatchObject({
      state: { type: "SCHEDULED", name: "AwaitingRetry" },
    });
    expect(decideTransition(facts("PENDING"), notFound)).toMatchObject({
      state: { type: "FAILED" },
    });
  });

  test("starting again after an attempt is named Retrying", () => {
    const decision = decideTransition(facts("PENDING", { attempt: 1 }), { type: "RUNNING" });
    expect(decision).toMatchObject({
      verdict: "accept",
      state: { type: "RUNNING", name: "Retrying" },
    });
  });

  test("a user may retry a finished run; the system may not", () => {
    for (const type of ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"] as const) {
      expect(decideTransition(facts(type), { type: "SCHEDULED" }, "user")).toMatchObject({
        verdict: "accept",
        state: { type: "SCHEDULED", name: "Scheduled" },
      });
      expect(decideTransition(facts(type), { type: "SCHEDULED" }, "system").verdict).toBe("reject");
      expect(decideTransition(facts(type), { type: "RUNNING" }, "user").verdict).toBe("reject");
    }
  });

  test("a scheduled run can become Late, and Late again is a no-op", () => {
    expect(decideTransition(facts("SCHEDULED"), { type: "SCHEDULED", name: "Late" })).toMatchObject(
      {
        verdict: "accept",
        state: { name: "Late" },
      },
    );
    expect(
      decideTransition(
        { ...facts("SCHEDULED"), name: "Late" },
        { type: "SCHEDULED", name: "Late" },
      ),
    ).toEqual({ verdict: "noop" });
  });

  test("a name that does not belong to the type is refused", () => {
    const decision = decideTransition(facts("RUNNING"), { type: "COMPLETED", name: "Failed" });
    expect(decision).toMatchObject({
      verdict: "reject",
      reason: expect.stringMatching(/not of type/),
    });
  });
});

describe("a lost worker's late report", () => {
  test("moves CRASHED to the final state the worker reports, with no retry", () => {
    for (const type of ["COMPLETED", "FAILED", "CANCELLED"] as const) {
      const decision = decideTransition(
        facts("CRASHED", { retriesLeft: 2 }),
        { type, message: "exited" },
        "lost-worker",
      );
      expect(decision).toMatchObject({
        verdict: "accept",
        state: { type, message: "exited" },
        // It happened before orch guessed CRASHED: its time is not bounded by the guess.
        overturns: true,
      });
    }
  });

  test("moves nothing else: not from another final state, not to RUNNING or SCHEDULED, not for anyone else", () => {
    const lost = (from: StateType, to: StateType, by: "lost-worker" | "system" = "lost-worker") =>
      decideTransition(facts(from), { type: to }, by).verdict;
    expect(lost("COMPLETED", "FAILED")).toBe("reject");
    expect(lost("CANCELLED", "COMPLETED")).toBe("reject");
    expect(lost("FAILED", "COMPLETED")).toBe("reject");
    expect(lost("CRASHED", "RUNNING")).toBe("reject");
    expect(lost("CRASHED", "SCHEDULED")).toBe("reject");
    expect(lost("CRASHED", "COMPLETED", "system")).toBe("reject");
  });
});

describe("pauses and subflows", () => {
  test("a paused run goes back to SCHEDULED only as Resuming, and its next start is no retry", () => {
    expect(
      decideTransition(facts("PAUSED"), { type: "SCHEDULED", name: "Resuming" }),
    ).toMatchObject({
      verdict: "accept",
      state: { type: "SCHEDULED", name: "Resuming" },
    });
    expect(
      decideTransition(facts("PAUSED"), { type: "SCHEDULED", name: "AwaitingRetry" }),
    ).toMatchObject({ verdict: "reject" });
    const pending = facts("PENDING", { attempt: 1 });
    expect(decideTransition(pending, { type: "RUNNING" })).toMatchObject({
      state: { name: "Retrying" },
    });
    expect(decideTransition({ ...pending, resumed: true }, { type: "RUNNING" })).toMatchObject({
      state: { name: "Running" },
    });
  });

  test("a subflow's run ends when its parent stops running: cancelled with it, or crashed with it", () => {
    const id = "0123456789abcdef";
    expect(childEnding(id, { type: "RUNNING", name: "Running" })).toBeNull();
    expect(childEnding(id, { type: "CANCELLING", name: "Cancelling" })).toEqual({
      type: "CANCELLED",
      message: "cancelled with its parent run 01234567",
    });
    expect(childEnding(id, { type: "CRASHED", name: "Crashed" })?.type).toBe("CRASHED");
    expect(childEnding(id, { type: "FAILED", name: "TimedOut" })).toEqual({
      type: "CANCELLED",
      message: "its parent run 01234567 went TimedOut while this subflow ran",
    });
  });
});
