import {
  OrchError,
  type ProposedState,
  REPORTABLE_TYPES,
  type StateReportJson,
} from "../core/index.ts";
import type { RunOutcome } from "../store/index.ts";

/**
 * The worker protocol's state report and what it means to the store, both ways: a remote worker
 * sends what its attempt decided, the server records it as if the worker wrote it itself.
 */

/**
 * A proposed state and its outcome as a worker sends them (POST …/runs/:run/state), stamped
 * with when it happened (now, unless the outcome says): a report may reach the server long
 * after (it was down), and the run's times must say when it ended, not when orch heard.
 */
export function toStateReport(state: ProposedState, outcome: RunOutcome = {}): StateReportJson {
  const type = state.type;
  // The server refuses the others (STATE_REPORT): a worker never decides them.
  if (!(REPORTABLE_TYPES as readonly string[]).includes(type)) {
    throw new Error(`a worker cannot report ${type}; it reports ${REPORTABLE_TYPES.join(", ")}`);
  }
  return {
    type: type as StateReportJson["type"],
    ...(state.name ? { name: state.name } : {}),
    ...(state.message !== undefined ? { message: state.message } : {}),
    ...(state.interrupted ? { interrupted: true } : {}),
    ...(state.mayPass ? { may_pass: true } : {}),
    ...(outcome.exitCode !== undefined ? { exit_code: outcome.exitCode } : {}),
    ...(outcome.signal !== undefined ? { signal: outcome.signal } : {}),
    ...(outcome.pid !== undefined ? { pid: outcome.pid } : {}),
    ...(outcome.pidStarted !== undefined ? { pid_started: outcome.pidStarted } : {}),
    ...(outcome.attempt !== undefined ? { attempt: outcome.attempt } : {}),
    at: new Date(outcome.at ?? Date.now()).toISOString(),
  };
}

/** A worker's report as the store's proposed state and outcome. */
export function fromStateReport(report: StateReportJson): [ProposedState, RunOutcome] {
  return [
    {
      type: report.type,
      ...(report.name ? { name: report.name } : {}),
      ...(report.message !== undefined ? { message: report.message } : {}),
      ...(report.interrupted ? { interrupted: true } : {}),
      ...(report.may_pass ? { mayPass: true } : {}),
    },
    {
      ...(report.exit_code !== undefined ? { exitCode: report.exit_code } : {}),
      ...(report.signal !== undefined ? { signal: report.signal } : {}),
      ...(report.pid !== undefined ? { pid: report.pid } : {}),
      ...(report.pid_started !== undefined ? { pidStarted: report.pid_started } : {}),
      // transitionRun drops a report of an attempt the run has moved past.
      ...(report.attempt !== undefined ? { attempt: report.attempt } : {}),
      // transitionRun bounds it: never before the run's current state, nor after now.
      ...(report.at !== undefined ? { at: reportedAt(report.at) } : {}),
    },
  ];
}

function reportedAt(at: string): number {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) {
    throw new OrchError(
      "E_BAD_INPUT",
      `at: ${JSON.stringify(at)} is not a time; send an ISO time such as 2026-01-31T12:00:00.000Z`,
    );
  }
  return ms;
}
