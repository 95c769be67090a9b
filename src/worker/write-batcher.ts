import { isTerminal, OrchError, type ProposedState } from "../core/index.ts";
import {
  appendLogs,
  getRun,
  type LogLine,
  type RefusedStep,
  type RunOutcome,
  type RunRow,
  type Store,
  type TransitionResult,
  transitionRunSteps,
} from "../store/index.ts";

/**
 * Lines waiting past this many are written at once rather than at the end of the tick; small
 * enough that one transaction never holds the event loop for long (about 5 ms).
 */
const FLUSH_LINES = 10_000;

/**
 * How long a batch holding nothing but RUNNING states may wait for more. Why: most runs that
 * start together end soon after, and a run's RUNNING and final state written in one transaction
 * (with its neighbours') cost about half the pages of two. Nothing is lost meanwhile: a run
 * whose RUNNING is not yet written is PENDING, and should orch die, recovery finds its process
 * by the run's mark (RunMark) and stops it. Anything else (a final state, lines) flushes the
 * batch at the end of the turn, as before.
 */
export const RUNNING_WINDOW_MS = 5;

/** Buffers a worker's writes (log lines of all its runs, state changes) into one transaction. */
export interface WriteBatcher {
  logs(runSeq: number, lines: LogLine[]): void;
  /**
   * Propose a state; `then` gets the run as recorded (or as it is, when refused). An outcome
   * given as a function is read when the state is written.
   */
  transition(
    runId: string,
    state: ProposedState,
    outcome?: RunOutcome | (() => RunOutcome),
    then?: (run: RunRow | null) => void,
  ): void;
  /** Write everything buffered now; false when the store failed (the states are kept). */
  flush(): boolean;
  /** The states waiting to be written, as `run <id>: <TYPE>`. */
  pending(): string[];
  /** Write now if a state of `runId` waits (a RUNNING held for its end): see EmbeddedWorker.settle. */
  settle(runId: string): void;
  /** Flush at the end of this event-loop turn even with nothing buffered (for `inFlush`). */
  schedule(): void;
  /** True while a flush runs (its own events are being published). */
  readonly flushing: boolean;
}

interface Hooks {
  /** Lines once stored (the live log stream). */
  onLogs?: (batches: [runSeq: number, lines: LogLine[]][]) => void;
  /** A proposed state the rules refused (someone else moved the run first). */
  onRefused?: (runId: string, error: unknown, state: ProposedState) => void;
  onError?: (error: unknown) => void;
  /**
   * Runs inside each flush's transaction, after the buffered writes; what it returns runs after
   * the commit. The worker claims runs here, so a finished run and the claim of the next one are
   * one transaction.
   */
  inFlush?: (written: FlushedStates) => (() => void) | undefined;
  /** How long RUNNING states alone may wait (default RUNNING_WINDOW_MS). */
  runningWindowMs?: number;
}

/** What the states of a flush did, for the claim that follows them (see Hooks.inFlush). */
export interface FlushedStates {
  /** A state other than RUNNING was proposed: an attempt may have ended and freed its slot. */
  endedAttempts: boolean;
  /**
   * A run is left waiting to run again (a retry, a run stopped before it started): it may be
   * due now or later, which only a claim finds out.
   */
  reopened: boolean;
}

type StateOp = {
  kind: "state";
  runId: string;
  state: ProposedState;
  outcome: RunOutcome | (() => RunOutcome);
  then?: (run: RunRow | null) => void;
};

/**
 * A run's RUNNING and the state proposed for it next, in one batch (a short run's start and
 * end): written together at the later one's place, its lines before it (transitionRunSteps).
 * `joined`: each later state with the RUNNING before it; `deferred`: those RUNNINGs.
 */
function joinStarts(batch: readonly ({ kind: "logs" } | StateOp)[]) {
  const joined = new Map<StateOp, StateOp>();
  const deferred = new Set<StateOp>();
  const starts = new Map<string, StateOp>();
  for (const op of batch) {
    if (op.kind !== "state") continue;
    const start = starts.get(op.runId);
    starts.delete(op.runId);
    if (op.state.type === "RUNNING") starts.set(op.runId, op);
    else if (start) {
      joined.set(op, start);
      deferred.add(start);
    }
  }
  return { joined, deferred };
}

/** Whether a transition's error means the rules refused it (the run moved on, or is gone). */
function isRefusal(error: unknown): boolean {
  return (
    error instanceof OrchError &&
    (error.code === "E_ILLEGAL_TRANSITION" || error.code === "E_NOT_FOUND")
  );
}

/**
 * Create a write batcher. Why batch: a SQLite commit costs as much as hundreds of inserted rows,
 * so what a worker writes in one event-loop turn (lines from every run, each run's RUNNING and
 * final states) goes in one transaction at the end of the turn, in the order it was asked for:
 * a run's lines are always stored before the state that ends it.
 */
export function createWriteBatcher(store: Store, hooks: Hooks = {}): WriteBatcher {
  type Op = { kind: "logs"; seq: number; lines: LogLine[] } | StateOp;
  let ops: Op[] = [];
  let lines = 0;
  let scheduled = false;
  let held: ReturnType<typeof setTimeout> | null = null;

  let flushing = false;
  const flush = (): boolean => {
    scheduled = false;
    if (held) clearTimeout(held);
    held = null;
    if (flushing) return true;
    flushing = true;
    try {
      return write();
    } finally {
      flushing = false;
    }
  };
  const write = (): boolean => {
    const batch = ops;
    ops = [];
    lines = 0;
    const written: [number, LogLine[]][] = [];
    const results: [(run: RunRow | null) => void, RunRow | null][] = [];
    const states: FlushedStates = { endedAttempts: false, reopened: false };
    // Written and committed: what follows must run whatever one of them throws.
    const safely = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        hooks.onError?.(error);
      }
    };
    /**
     * One run's states written together (transitionRunSteps); null when a refusal was thrown
     * (the rules' answer from within, or the run gone): told to onRefused, nothing written.
     * Anything else (a SQLite error, a bug) rolls the whole batch back so its states are tried
     * again, never dropped.
     */
    const tryStates = (steps: StateOp[]): (TransitionResult | RefusedStep)[] | null => {
      try {
        return transitionRunSteps(
          store,
          steps[0]!.runId,
          steps.map((step) => ({
            proposed: step.state,
            outcome: typeof step.outcome === "function" ? step.outcome() : step.outcome,
          })),
        );
      } catch (error) {
        if (!isRefusal(error)) throw error;
        if (steps.length === 1) hooks.onRefused?.(steps[0]!.runId, error, steps[0]!.state);
        return null;
      }
    };
    try {
      store.tx(() => {
        let pending = new Map<number, LogLine[]>();
        const writeLogs = () => {
          if (pending.size === 0) return;
          appendLogs(store, pending);
          written.push(...pending);
          pending = new Map();
        };
        const { joined, deferred } = joinStarts(batch);
        for (const op of batch) {
          if (op.kind === "logs") {
            const waiting = pending.get(op.seq);
            if (waiting) for (const line of op.lines) waiting.push(line);
            else pending.set(op.seq, op.lines);
            continue;
          }
          if (deferred.has(op)) continue;
          writeLogs();
          const start = joined.get(op);
          const steps = start ? [start, op] : [op];
          // Joined, a refusal thrown from within (a subflow's end, a run gone) would undo both:
          // each is then tried alone, as it would have been.
          const answers =
            tryStates(steps) ??
            (steps.length > 1 ? steps.flatMap((step) => tryStates([step]) ?? [null]) : [null]);
          for (const [i, step] of steps.entries()) {
            const answer = answers[i]!;
            if (answer && "refused" in answer) {
              hooks.onRefused?.(step.runId, answer.refused, step.state);
            }
            const run = answer ? answer.run : getRun(store, step.runId);
            if (step.then) results.push([step.then, run]);
            if (step.state.type !== "RUNNING") {
              states.endedAttempts = true;
              if (run && !isTerminal(run.state_type)) states.reopened = true;
            }
          }
        }
        writeLogs();
        // The runs it claims start once this commits, ahead of the news of its states.
        const after = hooks.inFlush?.(states);
        if (after) store.afterCommit(() => safely(after), true);
      });
    } catch (error) {
      // Nothing was written: keep the states (not the lines) for the next try.
      ops = [...batch.filter((op) => op.kind === "state"), ...ops];
      hooks.onError?.(error);
      return false;
    }
    if (written.length) safely(() => hooks.onLogs?.(written));
    for (const [then, run] of results) safely(() => then(run));
    return true;
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };
  /** Flush within RUNNING_WINDOW_MS (sooner when something else schedules a flush). */
  const hold = () => {
    const window = hooks.runningWindowMs ?? RUNNING_WINDOW_MS;
    if (window <= 0) return schedule();
    if (scheduled || held) return;
    held = setTimeout(flush, window);
  };

  return {
    logs(runSeq, batch) {
      if (batch.length === 0) return;
      ops.push({ kind: "logs", seq: runSeq, lines: batch });
      lines += batch.length;
      if (lines >= FLUSH_LINES) flush();
      else schedule();
    },
    transition(runId, state, outcome = {}, then) {
      ops.push({ kind: "state", runId, state, outcome, ...(then ? { then } : {}) });
      if (state.type === "RUNNING") hold();
      else schedule();
    },
    flush,
    settle(runId) {
      if (ops.some((op) => op.kind === "state" && op.runId === runId)) flush();
    },
    pending: () =>
      ops.flatMap((op) => (op.kind === "state" ? [`run ${op.runId}: ${op.state.type}`] : [])),
    schedule,
    get flushing() {
      return flushing;
    },
  };
}

/**
 * Flush until the store takes the writes, waiting 50 ms, then twice as long each time (at most
 * 1 s), for at most `ms`. Why: a worker that stops cannot try again later, and a true ending it
 * fails to write becomes CRASHED at the next start. Returns the states still not written.
 */
export async function flushUntilWritten(writes: WriteBatcher, ms: number): Promise<string[]> {
  const deadline = performance.now() + ms;
  for (let wait = 50; !writes.flush(); wait = Math.min(1000, wait * 2)) {
    const left = deadline - performance.now();
    if (left <= 0) return writes.pending();
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, left)));
  }
  return [];
}
