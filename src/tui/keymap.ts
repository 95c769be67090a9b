import type { Action } from "./action.ts";
import { problemLines } from "./problem-lines.ts";
import { inFlight, selectLayout, targetDeployment, targetRun } from "./select.ts";
import type { Command, MonitorState } from "./state.ts";
import { createTriggerForm, readTriggerForm, WHEN_FIELD } from "./trigger-form.ts";

/** The keys a press carries (Ink's `Key`, every flag optional). */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  shift?: boolean;
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
  meta?: boolean;
}

/** What a key press does: state changes, and at most one effect for the container. */
export interface KeyResult {
  actions: Action[];
  command?: Command;
}

const none: KeyResult = { actions: [] };
const act = (...actions: Action[]): KeyResult => ({ actions });
const overlay = (o: Extract<Action, { type: "overlay" }>["overlay"]): Action => ({
  type: "overlay",
  overlay: o,
});
const event = (level: "info" | "warn" | "error", text: string): Action => ({
  type: "event",
  event: { at: Date.now(), level, text },
});

/** Printable text of a press (no control keys), or "". */
function printable(input: string, key: KeyPress): string {
  if (key.ctrl || key.meta || key.escape || key.return || key.tab) return "";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping control characters is the point
  return input.replace(/[\u0000-\u001f\u007f]/g, "");
}

/** What a key does in the current state. Pure: the container dispatches and performs it. */
export function interpretKey(state: MonitorState, input: string, key: KeyPress): KeyResult {
  const quit = key.ctrl && input === "c";
  const o = state.overlay;
  if (o?.kind === "help") return act(overlay(null));
  if (o?.kind === "problems") {
    if (quit) return { actions: [], command: { type: "quit" } };
    const lines = problemLines(state.problems, selectLayout(state).cols).length;
    const rows = Math.max(1, Math.max(6, state.size.rows - 4) - 1);
    const scroll = (by: number) =>
      act(overlay({ kind: "problems", top: clamp(o.top + by, 0, Math.max(0, lines - rows)) }));
    if (key.upArrow || input === "k") return scroll(-1);
    if (key.downArrow || input === "j") return scroll(1);
    if (key.pageUp) return scroll(-rows);
    if (key.pageDown || input === " ") return scroll(rows);
    if (input === "a") {
      const last = state.problems.notices.at(-1);
      if (!last) return act(event("info", "nothing to acknowledge: no start-up notices"));
      return { actions: [], command: { type: "acknowledge", upTo: last.id } };
    }
    if (key.escape || input === "!" || input === "q" || key.return) return act(overlay(null));
    return none;
  }
  if (o?.kind === "confirm") {
    if (input === "y" || input === "Y" || key.return) {
      return { actions: [overlay(null)], command: o.command };
    }
    if (quit && o.command.type === "quit") return { actions: [overlay(null)], command: o.command };
    return act(overlay(null));
  }
  if (o?.kind === "retry") {
    const retry = (fromFailed: boolean): KeyResult => ({
      actions: [overlay(null)],
      command: { type: "retry", runId: o.runId, ...(fromFailed ? { fromFailed } : {}) },
    });
    if (input === "f" || key.return) return retry(true);
    if (input === "a" || input === "R") return retry(false);
    return act(overlay(null));
  }
  if (o?.kind === "filter") {
    if (key.escape) return act(overlay(null), { type: "filter", text: "" });
    if (key.return) return act(overlay(null));
    if (key.backspace || key.delete) {
      const draft = o.draft.slice(0, -1);
      return act(overlay({ kind: "filter", draft }), { type: "filter", text: draft });
    }
    const text = printable(input, key);
    if (!text) return none;
    const draft = o.draft + text;
    return act(overlay({ kind: "filter", draft }), { type: "filter", text: draft });
  }
  if (o?.kind === "trigger") {
    if (key.escape || quit) return act(overlay(null));
    if (o.form.sending) return none;
    if (key.upArrow || (key.tab && key.shift)) return act({ type: "formMove", by: -1 });
    if (key.downArrow || key.tab) return act({ type: "formMove", by: 1 });
    if (key.backspace || key.delete) return act({ type: "formErase" });
    if (key.return) {
      const read = readTriggerForm(o.form);
      if ("errors" in read) return act({ type: "formErrors", errors: read.errors });
      return {
        actions: [{ type: "formSending" }],
        command: o.form.resumeRunId
          ? { type: "resume", runId: o.form.resumeRunId, input: read.parameters }
          : {
              type: "trigger",
              deployment: o.form.deployment,
              parameters: read.parameters,
              ...(read.scheduledAt ? { scheduledAt: read.scheduledAt } : {}),
            },
      };
    }
    const text = printable(input, key);
    return text ? act({ type: "formInput", text }) : none;
  }
  return interpretMain(state, input, key, quit === true);
}

function interpretMain(
  state: MonitorState,
  input: string,
  key: KeyPress,
  ctrlC: boolean,
): KeyResult {
  const layout = selectLayout(state);
  const page = Math.max(
    1,
    (state.details ? layout.detailLogRows : state.focus === "logs" ? layout.logRows : 0) ||
      (state.focus === "deployments" ? layout.deploymentRows : layout.runRows),
  );
  if (input === "q" || ctrlC) {
    const flying = inFlight(state);
    if (state.mode === "up" && flying > 0 && !ctrlC) {
      return act(
        overlay({
          kind: "confirm",
          message: `${flying} run${flying === 1 ? " is" : "s are"} in flight; quitting stops orch and its worker. Quit?`,
          command: { type: "quit" },
        }),
      );
    }
    return { actions: [], command: { type: "quit" } };
  }
  if (key.upArrow || input === "k") return act({ type: "move", by: -1 });
  if (key.downArrow || input === "j") return act({ type: "move", by: 1 });
  if (key.pageUp) return act({ type: "move", by: -page });
  if (key.pageDown || input === " ") return act({ type: "move", by: page });
  if (key.home || input === "g") return act({ type: "moveTo", where: "first" });
  if (key.end || input === "G") return act({ type: "moveTo", where: "last" });
  if (input === "?") return act(overlay({ kind: "help" }));
  if (input === "!") return act(overlay({ kind: "problems", top: 0 }));
  if (input === "/") return act(overlay({ kind: "filter", draft: state.filter }));
  if (key.escape) {
    if (state.details) return act({ type: "details", runId: null });
    if (state.filter) return act({ type: "filter", text: "" });
    return none;
  }
  if (key.tab && !state.details) {
    return act({ type: "focus", pane: key.shift ? "previous" : "next" });
  }
  if (key.return) {
    if (state.details) return act({ type: "details", runId: null });
    if (state.focus === "deployments") return act({ type: "focus", pane: "runs" });
    const run = targetRun(state);
    return run ? act({ type: "details", runId: run.id }) : none;
  }
  if (input === "r") {
    const deployment = targetDeployment(state);
    if (!deployment) return act(event("warn", "no deployment to trigger"));
    return act(overlay({ kind: "trigger", form: createTriggerForm(deployment) }));
  }
  if (input === "p") {
    const deployment = targetDeployment(state);
    if (!deployment) return act(event("warn", "no deployment to pause"));
    return {
      actions: [],
      command: { type: "pause", deployment: deployment.name, paused: !deployment.paused },
    };
  }
  if (input === "c") {
    const run = targetRun(state);
    if (!run) return act(event("warn", "no run to cancel"));
    if (["COMPLETED", "FAILED", "CRASHED", "CANCELLED", "CANCELLING"].includes(run.state)) {
      return act(event("warn", `run ${run.id.slice(0, 8)} is ${run.state}: nothing to cancel`));
    }
    return act(
      overlay({
        kind: "confirm",
        message: `Cancel run ${run.id.slice(0, 8)}${run.deployment ? ` of ${run.deployment}` : ""} (${run.state})?`,
        command: { type: "cancel", runId: run.id },
      }),
    );
  }
  if (input === "u") {
    const run = targetRun(state);
    if (!run) return act(event("warn", "no run to resume"));
    if (run.state !== "PAUSED") {
      return act(
        event("warn", `run ${run.id.slice(0, 8)} is ${run.state}: only a paused run resumes`),
      );
    }
    // The pause's input schema is known once the run's details are loaded: a form asks for it.
    const schema = "pause" in run ? run.pause?.input_schema : null;
    if (!schema) return { actions: [], command: { type: "resume", runId: run.id, input: {} } };
    const form = createTriggerForm({
      name: `resume of run ${run.id.slice(0, 8)}`,
      parameters: {},
      parameter_schema: schema,
    } as unknown as Parameters<typeof createTriggerForm>[0]);
    // A resume takes the pause's input only: no start time.
    const fields = form.fields.filter((f) => f.name !== WHEN_FIELD);
    return act(overlay({ kind: "trigger", form: { ...form, fields, resumeRunId: run.id } }));
  }
  if (input === "R") {
    const run = targetRun(state);
    if (!run) return act(event("warn", "no run to retry"));
    // A deployment's run that failed can go on from its failed task: the monitor offers both.
    if (run.deployment && ["FAILED", "CRASHED", "CANCELLED"].includes(run.state)) {
      // A retry runs the deployment's active version: said before the key is pressed.
      const active = state.deployments.find((d) => d.name === run.deployment)?.version;
      const moved = active !== undefined && run.version !== null && active !== run.version;
      const version = moved ? `v${active}, not the run's v${run.version}` : undefined;
      return act(overlay({ kind: "retry", runId: run.id, ...(version ? { version } : {}) }));
    }
    return { actions: [], command: { type: "retry", runId: run.id } };
  }
  return none;
}

/** The key a single character stands for, as Ink would report it. */
export function keyOf(char: string): KeyPress {
  if (char === "\r" || char === "\n") return { return: true };
  if (char === "\t") return { tab: true };
  if (char === "\x7f" || char === "\b") return { backspace: true };
  if (char === "\x1b") return { escape: true };
  return /^[A-Z]$/.test(char) ? { shift: true } : {};
}

function clamp(n: number, low: number, high: number): number {
  return Math.max(low, Math.min(high, n));
}
