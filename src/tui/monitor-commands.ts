import type { Client } from "../client/index.ts";
import { shortId } from "./format.ts";
import type { Action } from "./reduce.ts";
import type { Command, MonitorState } from "./state.ts";

/** What performing a command needs from the monitor's container. */
export interface CommandContext {
  client: () => Client | null;
  getState: () => MonitorState;
  dispatch: (action: Action) => void;
  note: (level: "info" | "warn" | "error", message: string) => void;
  /** Called by `q` (after confirmation). */
  onQuit?: () => void;
}

/**
 * Perform a command against orch (trigger, cancel, retry or resume a run, pause or resume a
 * deployment, quit) and show the outcome.
 */
export async function performCommand(command: Command, ctx: CommandContext): Promise<void> {
  if (command.type === "quit") {
    ctx.onQuit?.();
    return;
  }
  const c = ctx.client();
  if (!c) return;
  try {
    switch (command.type) {
      case "trigger": {
        const run = await c.triggerRun(command.deployment, { parameters: command.parameters });
        ctx.dispatch({ type: "overlay", overlay: null });
        ctx.dispatch({ type: "runsUpserted", runs: [run] });
        ctx.dispatch({ type: "select", runId: run.id });
        ctx.note("info", `triggered ${command.deployment}: run ${shortId(run.id)}`);
        return;
      }
      case "cancel": {
        const run = await c.cancelRun(command.runId);
        ctx.dispatch({ type: "runsUpserted", runs: [run] });
        ctx.note("info", `cancelling run ${shortId(run.id)}`);
        return;
      }
      case "retry": {
        const run = await c.retryRun(command.runId);
        ctx.dispatch({ type: "runsUpserted", runs: [run] });
        ctx.dispatch({ type: "select", runId: run.id });
        ctx.note("info", `retrying run ${shortId(command.runId)}`);
        return;
      }
      case "resume": {
        const run = await c.resumeRun(command.runId, command.input);
        ctx.dispatch({ type: "overlay", overlay: null });
        ctx.dispatch({ type: "runsUpserted", runs: [run] });
        ctx.note("info", `resumed run ${shortId(run.id)}`);
        return;
      }
      case "pause": {
        const deployment = command.paused
          ? await c.pauseDeployment(command.deployment)
          : await c.resumeDeployment(command.deployment);
        ctx.dispatch({ type: "deploymentUpserted", deployment });
        return;
      }
    }
  } catch (error) {
    const e = error as Error & { problems?: { where?: string; message: string }[] };
    const formOpen = ctx.getState().overlay?.kind === "trigger";
    if ((command.type === "trigger" || command.type === "resume") && formOpen) {
      const errors: Record<string, string> = {};
      for (const p of e.problems ?? []) {
        const name = p.where?.replace(/^(parameters|input)\.?/, "").split(/[.[]/)[0];
        if (name) errors[name] = p.message;
      }
      ctx.dispatch({ type: "formErrors", errors, message: e.message });
      return;
    }
    ctx.note("error", e.message);
  }
}
