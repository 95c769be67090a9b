import { describe, expect, test } from "vitest";
import { interpretKey, type KeyPress } from "../../src/tui/keymap.ts";
import { reduce } from "../../src/tui/reduce.ts";
import type { MonitorState } from "../../src/tui/state.ts";
import { deployment, loaded, run } from "./fixtures.ts";

/** Press keys as the container does: dispatch the actions, collect the commands. */
function press(state: MonitorState, ...keys: (string | [string, KeyPress])[]) {
  const commands = [];
  let s = state;
  for (const k of keys) {
    const [input, key] = typeof k === "string" ? [k, {}] : k;
    const result = interpretKey(s, input, key);
    s = result.actions.reduce(reduce, s);
    if (result.command) commands.push(result.command);
  }
  return { state: s, commands };
}

const running = run(2, { state: "RUNNING", state_name: "Running", deployment: "hello" });

describe("quit", () => {
  test("q quits an attached monitor at once", () => {
    const { commands } = press(loaded([], [running], { mode: "attach" }), "q");
    expect(commands).toEqual([{ type: "quit" }]);
  });

  test("q in orch up asks first when runs are in flight; y quits, n stays", () => {
    const s = loaded([], [running], { mode: "up" });
    const asked = press(s, "q");
    expect(asked.commands).toEqual([]);
    expect(asked.state.overlay).toMatchObject({ kind: "confirm", command: { type: "quit" } });
    expect(press(s, "q", "n").commands).toEqual([]);
    expect(press(s, "q", "y").commands).toEqual([{ type: "quit" }]);
  });

  test("q in orch up with nothing in flight quits without asking", () => {
    expect(press(loaded([], [run(1)], { mode: "up" }), "q").commands).toEqual([{ type: "quit" }]);
  });
});

describe("run commands", () => {
  test("c asks before cancelling a running run", () => {
    const { state, commands } = press(loaded([], [running]), "c");
    expect(commands).toEqual([]);
    expect(state.overlay?.kind).toBe("confirm");
    expect(press(state, "y").commands).toEqual([{ type: "cancel", runId: running.id }]);
  });

  test("c on a finished run says there is nothing to cancel", () => {
    const { state, commands } = press(loaded([], [run(1)]), "c");
    expect(commands).toEqual([]);
    expect(state.events.at(-1)?.text).toMatch(/nothing to cancel/);
  });

  test("R retries the selected run, p pauses its deployment", () => {
    const s = loaded([deployment("hello")], [running]);
    expect(press(s, "R").commands).toEqual([{ type: "retry", runId: running.id }]);
    expect(press(s, "p").commands).toEqual([{ type: "pause", deployment: "hello", paused: true }]);
  });

  test("R on a failed run offers a retry from the failed task (f) or of every task (a)", () => {
    const failed = run(4, { state: "FAILED", state_name: "Failed", deployment: "hello" });
    const { state, commands } = press(loaded([], [failed]), "R");
    expect(commands).toEqual([]);
    expect(state.overlay).toEqual({ kind: "retry", runId: failed.id });
    expect(press(state, "f").commands).toEqual([
      { type: "retry", runId: failed.id, fromFailed: true },
    ]);
    expect(press(state, "a").commands).toEqual([{ type: "retry", runId: failed.id }]);
    expect(press(state, ["", { escape: true }]).commands).toEqual([]);
    expect(press(state, ["", { escape: true }]).state.overlay).toBeNull();
  });

  test("R on a failed run of an older version says the retry runs the deployment's active one", () => {
    const failed = run(4, {
      state: "FAILED",
      state_name: "Failed",
      deployment: "hello",
      version: 2,
    });
    const moved = press(loaded([deployment("hello", { version: 3 })], [failed]), "R");
    expect(moved.state.overlay).toEqual({
      kind: "retry",
      runId: failed.id,
      version: "v3, not the run's v2",
    });
    const same = press(loaded([deployment("hello", { version: 2 })], [failed]), "R");
    expect(same.state.overlay).toEqual({ kind: "retry", runId: failed.id });
  });

  test("u resumes a paused run: at once without input, through a form when its pause asks for some", () => {
    const paused = run(3, { state: "PAUSED", state_name: "Paused", deployment: "hello" });
    expect(press(loaded([], [paused]), "u").commands).toEqual([
      { type: "resume", runId: paused.id, input: {} },
    ]);
    const asking = {
      ...paused,
      states: [],
      tasks: [],
      pause: {
        key: "pause-1",
        timeout_at: null,
        input_schema: { type: "object", properties: { ok: { type: "boolean" } } },
      },
    };
    const { state } = press(loaded([], [asking]), "u");
    expect(state.overlay).toMatchObject({ kind: "trigger", form: { resumeRunId: paused.id } });
    const filled = press(state, "t", "r", "u", "e", ["", { return: true }]);
    expect(filled.commands).toEqual([{ type: "resume", runId: paused.id, input: { ok: true } }]);
    expect(press(loaded([], [running]), "u").state.events.at(-1)?.text).toMatch(
      /only a paused run resumes/,
    );
  });

  test("enter opens the run's details and esc goes back", () => {
    const s = loaded([], [running]);
    const open = press(s, ["", { return: true }]).state;
    expect(open.details).toBe(running.id);
    expect(press(open, ["", { escape: true }]).state.details).toBeNull();
  });
});

describe("trigger form", () => {
  const etl = deployment("etl", {
    parameters: { day: "today", limit: 3 },
    parameter_schema: {
      type: "object",
      properties: { limit: { type: "integer", minimum: 1 }, day: { type: "string" } },
    },
  });

  test("r opens the form prefilled with the defaults; enter sends the typed values", () => {
    const s = press(loaded([etl], []), ["", { tab: true }], ["", { tab: true }]).state;
    expect(s.focus).toBe("deployments");
    const opened = press(s, "r").state;
    expect(opened.overlay).toMatchObject({ kind: "trigger" });
    // The schema's properties come first: limit, then day.
    const { commands } = press(
      opened,
      ["", { backspace: true }],
      "7",
      ["", { downArrow: true }],
      "!",
      ["", { return: true }],
    );
    expect(commands).toEqual([
      { type: "trigger", deployment: "etl", parameters: { limit: 7, day: "today!" } },
    ]);
  });

  test("invalid values stay in the form with their problem and nothing is sent", () => {
    const opened = press(loaded([etl], []), ["", { tab: true }], ["", { tab: true }], "r").state;
    const { state, commands } = press(opened, ["", { backspace: true }], "0", [
      "",
      { return: true },
    ]);
    expect(commands).toEqual([]);
    expect(state.overlay).toMatchObject({
      kind: "trigger",
      form: { errors: { limit: "must be at least 1" } },
    });
  });
});

describe("filter", () => {
  test("/ types a filter live; esc clears it", () => {
    const s = loaded([deployment("etl"), deployment("hello")], []);
    const typed = press(s, "/", "e", "t", ["", { return: true }]).state;
    expect(typed.filter).toBe("et");
    expect(typed.overlay).toBeNull();
    expect(press(typed, ["", { escape: true }]).state.filter).toBe("");
  });

  test("? shows help and any key closes it", () => {
    const help = press(loaded([], []), "?").state;
    expect(help.overlay).toEqual({ kind: "help" });
    expect(press(help, "x").state.overlay).toBeNull();
  });
});
