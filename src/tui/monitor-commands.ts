import type { Client } from "../client/index.ts";
import type { Action } from "./action.ts";
import { shortId } from "./format.ts";
import type { Sync } from "./monitor-sync.ts";
import type { Command, MonitorRun, MonitorState } from "./state.ts";

/** What performing a command needs from the monitor's container. */
export interface CommandContext {
  client: () => Client | null;
  getState: () => MonitorState;
  dispatch: (action: Action) => void;
  note: (level: "info" | "warn" | "error", message: string) => void;
  /** Where what a command changed is fetched, in order with the live events. */
  sync: Pick<Sync, "queueRun" | "queueDeployment">;
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
        const run = await c.triggerRun(command.deployment, {
          parameters: command.parameters,
          ...(command.scheduledAt ? { scheduled_at: command.scheduledAt } : {}),
        });
        ctx.dispatch({ type: "overlay", overlay: null });
        show(run, ctx);
        ctx.note("info", `triggered ${command.deployment}: run ${shortId(run.id)}`);
        return;
      }
      case "cancel": {
        const run = await c.cancelRun(command.runId);
        ctx.sync.queueRun(run.id);
        ctx.note("info", `cancelling run ${shortId(run.id)}`);
        return;
      }
      case "retry": {
        const run = await c.retryRun(command.runId, { fromFailed: command.fromFailed === true });
        show(run, ctx);
        // The server's message: which version runs, what is reused.
        ctx.note("info", `run ${shortId(command.runId)} ${run.state_message ?? "retried"}`);
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
        ctx.sync.queueDeployment(deployment.name);
        return;
      }
      case "acknowledge": {
        // The notice.acknowledged event brings the problems that are left.
        await c.acknowledgeProblems(command.upTo);
        ctx.note("info", "start-up notices acknowledged");
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

/**
 * Select a run a command made or changed. Its answer is held only when the run is new to the
 * monitor: a held run is fetched again instead, in order with the live events, so an answer
 * that is older than what an event brought never overwrites it.
 */
function show(run: MonitorRun, ctx: CommandContext): void {
  if (!ctx.getState().runs.byId.has(run.id)) ctx.dispatch({ type: "runsUpserted", runs: [run] });
  ctx.dispatch({ type: "select", runId: run.id });
  ctx.sync.queueRun(run.id);
}
