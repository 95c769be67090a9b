import { formatDuration, type ProposedState } from "../core/index.ts";
import type { RunOutcome } from "../store/index.ts";
import type { RunExit } from "./spawn-run.ts";

/** The state an attempt ends in, from how its process ended. */
export function finalState(
  exit: RunExit,
  timeoutMs: number | null,
  pid: number | null,
  shuttingDown: boolean,
  cancelRequested: boolean,
): [ProposedState, RunOutcome] {
  const outcome: RunOutcome = { exitCode: exit.exitCode, signal: exit.signal };
  const stopped = exit.stoppedWith ? `; its process tree was stopped (${exit.stoppedWith})` : "";
  if (exit.error) return [{ type: "FAILED", message: exit.error }, {}];
  if (exit.cancelled || cancelRequested) {
    return [{ type: "CANCELLED", message: `cancelled${stopped}` }, outcome];
  }
  if (exit.timedOut) {
    const after = formatDuration(timeoutMs ?? 0);
    return [
      { type: "FAILED", name: "TimedOut", message: `timed out after ${after}${stopped}` },
      outcome,
    ];
  }
  if (shuttingDown && exit.stoppedWith) {
    return [
      {
        type: "CRASHED",
        message: `orch stopped while this run was RUNNING (pid ${pid}); its process was stopped`,
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
  if (exit.exitCode === 0) return [{ type: "COMPLETED", message: "exited with code 0" }, outcome];
  return [{ type: "FAILED", message: `exited with code ${exit.exitCode}` }, outcome];
}
