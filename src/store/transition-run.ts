import {
  type AcceptedState,
  childEnding,
  decideTransition,
  isTerminal,
  OrchError,
  type ProposedState,
  type Proposer,
  runListedAt,
  startsAttempt,
} from "../core/index.ts";
import { cameFromResume, unfinishedChildren } from "./child-runs.ts";
import { recordEvent } from "./events.ts";
import type { Store } from "./open-store.ts";
import { insertHistory } from "./run-history.ts";
import { nextRetryDelay } from "./run-retries.ts";
import type { RunRow } from "./run-row.ts";
import { getRunOrThrow } from "./runs.ts";
import { sqlite } from "./sqlite.ts";
import { releaseRunTagSlots } from "./tag-slots.ts";
import { endOpenTaskRuns } from "./task-runs.ts";

/** Facts a worker reports with a state: the process it started, how it ended. */
export interface RunOutcome {
  pid?: number | null;
  pidStarted?: string | null;
  workerId?: string | null;
  exitCode?: number | null;
  signal?: string | null;
  result?: unknown;
  /** Entering PAUSED: what the pause asked (JSON) and until when it may wait. */
  pause?: { info: string; until: number | null };
  /** Entering SCHEDULED (Resuming): the resumed pause's key and input, kept for the next start. */
  resumeInput?: { key: string; input: Record<string, unknown> };
  /**
   * When the state was entered, when the reporter knows it and its write comes later (a worker
   * batches its writes): never after now, nor before the run's current state. A late truth that
   * overturns orch's guess is recorded now, and this is its end (not before the run's start).
   */
  at?: number;
  /**
   * The attempt the reporting process ran. A report of an attempt the run has moved past (its
   * process ended after the run was resumed or retried and started again) changes nothing.
   */
  attempt?: number;
}

/** The columns a transition may change. */
const CHANGING = [
  "state_type",
  "state_name",
  "state_message",
  "state_at",
  "attempt",
  "retries_used",
  "scheduled_at",
  "started_at",
  "ended_at",
  "listed_at",
  "exit_code",
  "signal",
  "pid",
  "pid_started",
  "worker_id",
  "result",
  "pause",
  "paused_until",
  "resume_inputs",
] as const satisfies readonly (keyof RunRow)[];

export interface TransitionResult {
  run: RunRow;
  /** Whether a state was recorded (false for a no-op repeat). */
  changed: boolean;
  /** Why the proposed state was replaced, when it was. */
  replaced?: string;
  /** Why nothing was recorded, when the report was of an attempt the run has moved past. */
  ignored?: string;
}

/** One state proposed for a run, with the facts its reporter knows (see transitionRun). */
export interface ProposedStep {
  proposed: ProposedState;
  outcome?: RunOutcome;
  by?: Proposer;
}

/**
 * Move a run to a proposed state under the orchestration rules, in one transaction: the run's
 * columns, a state-history row and an event. Refused transitions throw E_ILLEGAL_TRANSITION and
 * write nothing. This is the only code that changes a run's state (with transitionRunSteps, the
 * same for several states at once, and recordStep, which makeRun uses for a run made PENDING).
 */
export function transitionRun(
  store: Store,
  runId: string,
  proposed: ProposedState,
  outcome: RunOutcome = {},
  by: Proposer = "system",
): TransitionResult {
  const [answer] = transitionRunSteps(store, runId, [{ proposed, outcome, by }]);
  if ("refused" in answer!) throw answer.refused;
  return answer!;
}

/** A step the rules refused: why, and the run as it stood (the step changed nothing). */
export interface RefusedStep {
  refused: OrchError;
  run: RunRow;
}

/**
 * Move a run through several proposed states, one after another, in one transaction: each is
 * decided on the run as the ones before it left it, and recorded as transitionRun records it (its
 * history row and event, in order), but the run's row is read and written once. Why: a worker
 * reports a short run's start and end together (write-batcher.ts), and the second read and
 * rewrite of the row and its indexes was a third of what recording both cost. A refused step
 * comes back as its error (E_ILLEGAL_TRANSITION) and changes nothing; the next is decided as if
 * it had not been proposed, as a second call would be. Throws E_NOT_FOUND for a run that is not.
 */
export function transitionRunSteps(
  store: Store,
  runId: string,
  steps: ProposedStep[],
): (TransitionResult | RefusedStep)[] {
  return store.tx(() => {
    const original = getRunOrThrow(store, runId);
    let run = original;
    const answers = steps.map((step): TransitionResult | RefusedStep => {
      const result = applyStep(store, run, step);
      if (result instanceof OrchError) return { refused: result, run };
      run = result.run;
      return result;
    });
    // Only the columns that changed are written: SQLite rewrites every index over a column an
    // UPDATE sets, changed or not, and flow_runs has many (each a page to write at commit).
    const changed = CHANGING.filter((column) => run[column] !== original[column]);
    if (changed.length) {
      const values: Record<string, unknown> = { seq: run.seq };
      for (const column of changed) values[column] = run[column];
      sqlite(store)
        .query(
          `UPDATE flow_runs SET ${changed.map((c) => `${c} = $${c}`).join(", ")} WHERE seq = $seq`,
        )
        .run(values as Record<string, string | number | null>);
    }
    return answers;
  });
}

/**
 * Decide one step on `run` (the run as the steps before left it) and record its history row and
 * event; the row itself is written by the caller. Its subflows end in the same transaction.
 */
function applyStep(store: Store, run: RunRow, step: ProposedStep): TransitionResult | OrchError {
  const planned = planStep(store, run, step);
  return "next" in planned ? recordStep(store, planned) : planned;
}

/** A step the rules accept: the run before and after it, and the state it enters. */
export interface PlannedStep {
  run: RunRow;
  next: RunRow;
  state: AcceptedState;
  /** It starts an attempt (its history row keeps the version the attempt runs). */
  starts: boolean;
  replaced?: string;
}

/**
 * Decide one step on `run` and work out the run it leaves, writing nothing: a step refused, a
 * no-op or a report of an attempt the run has moved past comes back as it is.
 */
export function planStep(
  store: Store,
  run: RunRow,
  { proposed, outcome = {}, by = "system" }: ProposedStep,
): PlannedStep | TransitionResult | OrchError {
  // A PENDING run's next process is its next attempt (counted once it is RUNNING); so is one
  // cancelled while PENDING. Only a report of an attempt before that is stale.
  const current = run.state_type === "PENDING" ? run.attempt + 1 : run.attempt;
  if (outcome.attempt !== undefined && outcome.attempt < current) {
    const ignored = `attempt ${outcome.attempt} is over (the run is on attempt ${current}): its ${proposed.type} changes nothing`;
    return { run, changed: false, ignored };
  }
  const decision = decideTransition(
    {
      type: run.state_type,
      name: run.state_name,
      attempt: run.attempt,
      retriesLeft: run.retries - run.retries_used,
      // Only a failure with retries left waits: the delay per retry is read then.
      retryDelayMs:
        (proposed.type === "FAILED" || proposed.interrupted) && run.retries > run.retries_used
          ? nextRetryDelay(store, run)
          : run.retry_delay_ms,
      resumed: run.state_type === "PENDING" && run.attempt > 0 && cameFromResume(store, run.seq),
    },
    proposed,
    by,
  );
  if (decision.verdict === "noop") return { run, changed: false };
  if (decision.verdict === "reject") {
    return new OrchError("E_ILLEGAL_TRANSITION", `run ${run.id}: ${decision.reason}`);
  }
  const { state } = decision;
  const clock = store.clock.now();
  const at = (floor: number) =>
    outcome.at === undefined ? clock : Math.max(floor, Math.min(outcome.at, clock));
  // A truth that overturns orch's guess (a lost worker's end) is recorded now, its history row
  // and event in the store's order; only its end keeps when it happened, bounded by the run's
  // start: the guess was recorded after it.
  const now = decision.overturns ? clock : at(run.state_at);
  const endedAt = decision.overturns ? at(run.started_at ?? run.state_at) : now;
  const next: RunRow = {
    ...run,
    state_type: state.type,
    state_name: state.name,
    state_message: state.message,
    state_at: now,
  };
  const starts = startsAttempt(run.state_type, state.type);
  if (starts) {
    next.attempt += 1;
    next.started_at ??= now;
  }
  if (state.type === "SCHEDULED" && isTerminal(run.state_type)) {
    // A user's retry: a fresh start with the full retry budget.
    Object.assign(next, { retries_used: 0, scheduled_at: now, started_at: null, ended_at: null });
  }
  if (state.name === "AwaitingRetry") {
    next.retries_used += 1;
    next.scheduled_at = now + (state.delayMs ?? 0);
  }
  if (state.type === "SCHEDULED") {
    Object.assign(next, { exit_code: null, signal: null, pid: null, pid_started: null });
    // An ad-hoc run awaiting its retry stays its caller's (`orch flow run` takes it back, and
    // ends with it): no other worker may claim it.
    if (run.created_by !== "ad-hoc") next.worker_id = null;
  }
  if (isTerminal(state.type)) next.ended_at = endedAt;
  // Set by the same rule everywhere (core): a start or a started run's end leaves it alone.
  next.listed_at = runListedAt(next);
  if (outcome.pid !== undefined) next.pid = outcome.pid;
  if (outcome.pidStarted !== undefined) next.pid_started = outcome.pidStarted;
  if (outcome.workerId !== undefined) next.worker_id = outcome.workerId;
  if (outcome.exitCode !== undefined) next.exit_code = outcome.exitCode;
  if (outcome.signal !== undefined) next.signal = outcome.signal;
  if (outcome.result !== undefined) next.result = JSON.stringify(outcome.result);
  // What a pause asked is kept while the run is PAUSED only.
  next.pause = state.type === "PAUSED" ? (outcome.pause?.info ?? run.pause) : null;
  next.paused_until = state.type === "PAUSED" ? (outcome.pause?.until ?? null) : null;
  if (outcome.resumeInput) {
    const inputs = JSON.parse(run.resume_inputs ?? "{}") as Record<string, unknown>;
    inputs[outcome.resumeInput.key] = outcome.resumeInput.input;
    next.resume_inputs = JSON.stringify(inputs);
  }
  // A user's retry starts the flow afresh: its pauses wait again.
  if (state.type === "SCHEDULED" && isTerminal(run.state_type)) next.resume_inputs = null;
  const { replaced } = decision;
  return { run, next, state, starts, ...(replaced ? { replaced } : {}) };
}

/**
 * Record a planned step: its state-history row and its event (with the run as it left it); a
 * subflow ends with its parent's end, in the same transaction. The run's row is the caller's to
 * write.
 */
export function recordStep(store: Store, planned: PlannedStep): TransitionResult {
  const { run, next, state, starts } = planned;
  const now = next.state_at;
  // An attempt's start keeps the version it runs: a later retry may point the run at another.
  const version = starts ? run.version : null;
  insertHistory(store, run.seq, state.type, state.name, now, state.message, version);
  // Tag slots live only while the run's process runs: whatever way it stops, they are freed.
  if (state.type !== "RUNNING" && state.type !== "CANCELLING") releaseRunTagSlots(store, run.seq);
  const { deployment } = run;
  const payload = { deployment, state: state.type, state_name: state.name, message: state.message };
  recordEvent(store, `flow-run.${state.type.toLowerCase()}`, run.id, payload, now, next);
  // Leaving its process behind, the run ends the tasks it left open.
  endOpenTaskRuns(store, run, state, now);
  // Subflows run in their parent's process: they stop when it stops, in this transaction.
  const ending = childEnding(run.id, state);
  if (ending) {
    for (const child of unfinishedChildren(store, run.id)) {
      transitionRun(store, child.id, ending);
    }
  }
  return {
    run: next,
    changed: true,
    ...(planned.replaced ? { replaced: planned.replaced } : {}),
  };
}
