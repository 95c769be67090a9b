import { EXIT_PAUSED, formatDuration, type ProposedState } from "../core/index.ts";
import type { RunOutcome } from "../store/index.ts";
import type { RunExit } from "./run-job.ts";

/** What orch asked of an attempt while it ran, beside how its process ended. */
export interface AttemptEnding {
  /** A user cancelled the run. */
  cancelRequested: boolean;
  /** orch was stopped and stopped the attempt: it ends CANCELLED with this message. */
  stoppedBecause: string | null;
  /** orch had given the run up (its worker was counted as lost): it ends CRASHED. */
  abandoned: boolean;
}

/** The state an attempt ends in, from how its process ended and what orch asked of it. */
export function finalState(
  exit: RunExit,
  timeoutMs: number | null,
  pid: number | null,
  ending: AttemptEnding,
  tsFlow = false,
): [ProposedState, RunOutcome] {
  const outcome: RunOutcome = { exitCode: exit.exitCode, signal: exit.signal };
  const tree = exit.container ? "its container" : "its process tree";
  const stopped = exit.stoppedWith ? `; ${tree} was stopped (${exit.stoppedWith})` : "";
  // No process started; one that may yet (a PATH or a mount back) is retried (core/rules.ts).
  if (exit.error) {
    return [
      { type: "FAILED", message: exit.error, ...(exit.mayPass ? { mayPass: true } : {}) },
      {},
    ];
  }
  if (exit.lost) return [{ type: "CRASHED", message: exit.lost }, outcome];
  if (exit.cancelled || ending.cancelRequested) {
    return [{ type: "CANCELLED", message: `cancelled${stopped}` }, outcome];
  }
  if (exit.timedOut) {
    const after = formatDuration(exit.timeoutMs ?? timeoutMs ?? 0);
    return [
      { type: "FAILED", name: "TimedOut", message: `timed out after ${after}${stopped}` },
      outcome,
    ];
  }
  // Only what orch itself stopped: a run that ended on its own during the grace period keeps
  // its true state.
  // It ran into orch's own stop: with retries left, it runs again (core/rules.ts).
  if (ending.stoppedBecause !== null && exit.stoppedWith) {
    return [
      { type: "CANCELLED", message: `${ending.stoppedBecause}${stopped}`, interrupted: true },
      outcome,
    ];
  }
  if (ending.abandoned && exit.stoppedWith) {
    return [
      {
        type: "CRASHED",
        message: exit.container
          ? "orch had given this run up while it was RUNNING; its container was stopped"
          : `orch had given this run up while it was RUNNING (pid ${pid}); its process was stopped`,
      },
      outcome,
    ];
  }
  if (exit.signal) {
    return [
      {
        type: "CRASHED",
        message: `its process was killed by ${exit.signal}, which orch did not send`,
      },
      outcome,
    ];
  }
  // A TypeScript flow that paused ended its process on purpose: the run is PAUSED already (the
  // same state again changes nothing), and starts again once resumed.
  if (tsFlow && exit.exitCode === EXIT_PAUSED) {
    return [
      { type: "PAUSED", message: "paused" },
      { exitCode: null, signal: null },
    ];
  }
  if (exit.exitCode === 0) return [{ type: "COMPLETED", message: "exited with code 0" }, outcome];
  // A flow that threw said why: its error's message is the run's message.
  if (exit.failure) return [{ type: "FAILED", message: exit.failure }, outcome];
  return [{ type: "FAILED", message: `exited with code ${exit.exitCode}` }, outcome];
}
