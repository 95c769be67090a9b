import {
  defaultName,
  isTerminal,
  type ProposedState,
  STATE_NAMES,
  type StateName,
  type StateType,
} from "./states.ts";

/**
 * The orchestration rules: the one place that decides whether a flow run may move from its
 * current state to a proposed one. The store applies the decision in the same transaction that
 * records it; nothing else changes a run's state.
 */

/** What the rules need to know about the run. */
export interface RunFacts {
  type: StateType;
  name: StateName;
  /** How many times the run has entered RUNNING. */
  attempt: number;
  /** Automatic retries still available for a failure. */
  retriesLeft: number;
  /** Wait before an automatic retry, in milliseconds. */
  retryDelayMs: number;
  /** The run was resumed from a pause and has not run since: its next start is no retry. */
  resumed?: boolean;
}

/**
 * Who proposes: a user's explicit request may restart a finished run (retry); `lost-worker` is the
 * worker that held the run reporting after orch had counted it as lost (silent past the worker
 * timeout, its runs CRASHED).
 */
export type Proposer = "system" | "user" | "lost-worker";

/** What a lost worker may still say of a run orch crashed for it: how its attempt truly ended. */
const LATE_TRUTHS: readonly StateType[] = ["COMPLETED", "FAILED", "CANCELLED"];

/** The state to record, possibly not the one proposed. */
export interface AcceptedState {
  type: StateType;
  name: StateName;
  message: string;
  /** For a state that waits (AwaitingRetry): how long from now. */
  delayMs?: number;
}

export type Decision =
  | {
      verdict: "accept";
      state: AcceptedState;
      replaced?: string;
      /**
       * The state corrects orch's guess (the CRASHED of a worker it counted lost): it happened
       * before that guess was recorded, so its time is bounded by the run's start, not the guess.
       */
      overturns?: true;
    }
  | { verdict: "noop" }
  | { verdict: "reject"; reason: string };

/**
 * Transitions allowed between state types, before replacements. A terminal type has none: only
 * a user's retry (to SCHEDULED) moves a finished run again.
 */
export const ALLOWED: Readonly<Record<StateType, readonly StateType[]>> = {
  SCHEDULED: ["SCHEDULED", "PENDING", "CANCELLED"],
  PENDING: ["SCHEDULED", "RUNNING", "FAILED", "CRASHED", "CANCELLING", "CANCELLED"],
  RUNNING: ["RUNNING", "COMPLETED", "FAILED", "CRASHED", "CANCELLING", "CANCELLED", "PAUSED"],
  CANCELLING: ["CANCELLED", "CRASHED"],
  // A paused run has no process: it is resumed (SCHEDULED, Resuming: it starts again from the
  // top), cancelled, or fails when nobody resumed it in time.
  PAUSED: ["SCHEDULED", "RUNNING", "FAILED", "CANCELLING", "CANCELLED", "CRASHED"],
  COMPLETED: [],
  FAILED: [],
  CRASHED: [],
  CANCELLED: [],
};

/** A run that waits for its next attempt, after its retry delay: one retry fewer left. */
function awaitRetry(current: RunFacts, message: string, replaced: string): Decision {
  const left = current.retriesLeft - 1;
  return {
    verdict: "accept",
    state: {
      type: "SCHEDULED",
      name: "AwaitingRetry",
      message: `${message}; retrying (${left} ${left === 1 ? "retry" : "retries"} left after this one)`,
      delayMs: current.retryDelayMs,
    },
    replaced,
  };
}

/** Decide what happens to a run in `current` when `proposed` is asked for. */
export function decideTransition(
  current: RunFacts,
  proposed: ProposedState,
  by: Proposer = "system",
): Decision {
  const name = proposed.name ?? defaultName(proposed.type);
  if (STATE_NAMES[name] !== proposed.type) {
    return { verdict: "reject", reason: `state name ${name} is not of type ${proposed.type}` };
  }
  const message = proposed.message ?? "";

  if (current.type === proposed.type && current.name === name) return { verdict: "noop" };

  if (isTerminal(current.type)) {
    if (proposed.type === "SCHEDULED" && by === "user") {
      return { verdict: "accept", state: { type: "SCHEDULED", name, message } };
    }
    // CRASHED for a lost worker was orch's guess; the worker, back, knows how the attempt ended
    // (a process that exited 0 while the network was cut did complete). Only that worker, only
    // from CRASHED, only to a final state: no retry, nothing restarts.
    if (current.type === "CRASHED" && by === "lost-worker" && LATE_TRUTHS.includes(proposed.type)) {
      return {
        verdict: "accept",
        state: { type: proposed.type, name, message },
        replaced: `CRASHED replaced by the ${proposed.type} its worker reported once back`,
        overturns: true,
      };
    }
    return {
      verdict: "reject",
      reason: `the run is already ${current.type}; retry it to run it again`,
    };
  }

  // A process that ends while it is being cancelled was cancelled, whatever its exit.
  if (
    current.type === "CANCELLING" &&
    (proposed.type === "COMPLETED" || proposed.type === "FAILED")
  ) {
    return {
      verdict: "accept",
      state: { type: "CANCELLED", name: "Cancelled", message: message || "cancelled" },
      replaced: `${proposed.type} while cancelling is CANCELLED`,
    };
  }

  if (!ALLOWED[current.type].includes(proposed.type)) {
    return {
      verdict: "reject",
      reason: `a run cannot go from ${current.type} to ${proposed.type}`,
    };
  }

  // Only a resume takes a paused run back to SCHEDULED.
  if (current.type === "PAUSED" && proposed.type === "SCHEDULED" && name !== "Resuming") {
    return {
      verdict: "reject",
      reason: "a PAUSED run goes back to SCHEDULED only when resumed (Resuming)",
    };
  }

  // An attempt orch itself cut short (stopped as orch stopped, or found CRASHED at a restart
  // after orch died) says nothing of the flow: with retries left it runs again, as after a
  // failure. A user's cancel (CANCELLING) is never undone.
  if (
    proposed.interrupted &&
    (proposed.type === "CANCELLED" || proposed.type === "CRASHED") &&
    (current.type === "RUNNING" || current.type === "PENDING") &&
    current.retriesLeft > 0
  ) {
    return awaitRetry(
      current,
      message || "orch stopped",
      `${proposed.type} by orch's own stop with retries left is AwaitingRetry`,
    );
  }

  // A flow that failed with retries left waits and runs again: same run, next attempt. So does
  // one whose process could not start for a reason that may pass (a command not found yet).
  if (
    proposed.type === "FAILED" &&
    (current.type === "RUNNING" || (current.type === "PENDING" && proposed.mayPass)) &&
    current.retriesLeft > 0
  ) {
    return awaitRetry(current, message || "failed", "FAILED with retries left is AwaitingRetry");
  }

  // Entering RUNNING again after an attempt is a retry.
  if (
    proposed.type === "RUNNING" &&
    name === "Running" &&
    current.attempt > 0 &&
    current.type === "PENDING" &&
    !current.resumed
  ) {
    return {
      verdict: "accept",
      state: { type: "RUNNING", name: "Retrying", message },
      replaced: "RUNNING after an earlier attempt is Retrying",
    };
  }

  return { verdict: "accept", state: { type: proposed.type, name, message } };
}

/**
 * What becomes of a subflow's run that is still going when its parent run enters `parent`: a
 * subflow runs in its parent's process, so once the parent stops running, so has the child.
 * Cancelling (or cancelled) parents cancel their children; a crashed one crashes them; any other
 * end (a timeout, a retry, a pause) cancels them with the reason. Null while the parent runs.
 */
export function childEnding(
  parentId: string,
  parent: { type: StateType; name: StateName },
): ProposedState | null {
  if (parent.type === "RUNNING" || parent.type === "PENDING") return null;
  const short = parentId.slice(0, 8);
  if (parent.type === "CRASHED") {
    return { type: "CRASHED", message: `its parent run ${short} crashed` };
  }
  if (parent.type === "CANCELLING" || parent.type === "CANCELLED") {
    return { type: "CANCELLED", message: `cancelled with its parent run ${short}` };
  }
  return {
    type: "CANCELLED",
    message: `its parent run ${short} went ${parent.name} while this subflow ran`,
  };
}
