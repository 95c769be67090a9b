/**
 * When and what a worker claims: at each wake (a run made due, a pool changed, the next due
 * time), after an attempt ends when runs were left waiting, and in the transaction of a run made
 * through the API (claimNow). The embedded worker runs what is claimed.
 */
import type { Clock } from "../core/index.ts";
import {
  claimRuns,
  countActiveRuns,
  type EventRow,
  mayClaimMade,
  type ProposedStep,
  type RunRow,
  type Store,
} from "../store/index.ts";
import { wakesWorker } from "./wake-events.ts";
import type { WorkerLogger } from "./worker-logger.ts";
import type { FlushedStates } from "./write-batcher.ts";

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ClaimsOptions {
  store: Store;
  clock: Clock;
  logger: WorkerLogger;
  pool: string;
  workerId: string;
  concurrency: number;
  /** How many attempts the worker runs now. */
  running(): number;
  /** Start a claimed run (once its claim is committed). */
  start(run: RunRow): void;
  /** Flush the worker's writes at the end of this turn: the claim runs inside (inFlush). */
  schedule(): void;
  /** Whether the worker's writes are being flushed now (what they publish needs no second look). */
  flushing(): boolean;
}

/** A worker's claims (see createClaims). */
export interface Claims {
  /** Claim due runs at the end of this turn (with whatever else is being written). */
  wake(): void;
  /** See EmbeddedWorker.startAs. */
  startAs(forPool: string, made: RunRow): ProposedStep | null;
  /** See EmbeddedWorker.claimNow. */
  claimNow(forPool: string, made?: RunRow): RunRow[];
  /** The claim inside a flush of the worker's writes; what it returns runs after the commit. */
  inFlush(states: FlushedStates): (() => void) | undefined;
  /** A store event: a run cancelled, made due, a pool changed... */
  onEvent(event: EventRow): void;
  /** Look again at `at` (a flush that failed is tried again then). */
  lookAt(at: number): void;
  /** Claim no more. */
  stop(): void;
}

export function createClaims(options: ClaimsOptions): Claims {
  const { store, clock, logger, pool, workerId, concurrency } = options;
  let stopped = false;
  let claimWanted = false;
  /**
   * Whether due runs may be waiting for a slot: true until a claim took every due run, and again
   * on every wake. Why: most runs end with nothing behind them, and the claim at each run's end
   * (the pool's counts, its candidates, its next due time) cost as much as writing its states.
   * Whatever makes a run due without a slot freeing wakes the worker (its event, its due time's
   * timer), so a claim that left nothing behind is the last one needed until then.
   */
  let waiting = true;
  let dueTimer: ReturnType<typeof setTimeout> | null = null;
  /** When dueTimer fires (the next run's due time), or null. */
  let dueAt: number | null = null;
  // Runs claimed by claimNow, until their events are out (only to spare a needless claim).
  const claimedNow = new Set<string>();

  const armTimer = (at: number | null) => {
    if (dueTimer) clearTimeout(dueTimer);
    dueTimer = null;
    dueAt = at;
    if (at === null || stopped) return;
    dueTimer = setTimeout(wake, Math.min(MAX_TIMER_MS, Math.max(0, at - clock.now())));
  };

  const wake = () => {
    // What our own flush publishes needs no second look: its claim ran after those writes.
    if (stopped || options.flushing()) return;
    claimWanted = true;
    waiting = true;
    options.schedule();
  };

  /** Whether no due run can be waiting: the last claim took all, and nothing woke it since. */
  const nothingWaiting = () => !waiting && !claimWanted && (dueAt === null || dueAt > clock.now());

  // The run startAs let be made PENDING for this worker, until claimNow starts it.
  let madeClaim: string | null = null;

  const startAs = (forPool: string, made: RunRow): ProposedStep | null => {
    madeClaim = null;
    if (forPool !== pool || stopped || !nothingWaiting()) return null;
    try {
      const busy = Math.max(options.running(), countActiveRuns(store, workerId));
      if (busy >= concurrency || !mayClaimMade(store, made)) return null;
    } catch (error) {
      logger.warn("could not claim a run as it was made; the next claim takes it:", error);
      return null;
    }
    madeClaim = made.id;
    return { proposed: { type: "PENDING" }, outcome: { workerId } };
  };

  const claimNow = (forPool: string, made?: RunRow): RunRow[] => {
    if (forPool !== pool || stopped) return [];
    let result: {
      claimed: RunRow[];
      cancelled?: RunRow[];
      more: boolean;
      nextDueAt?: number | null;
    };
    if (made && made.id === madeClaim && made.state_type === "PENDING") {
      // Claimed as it was made (startAs): only its start is left.
      madeClaim = null;
      result = { claimed: [made], more: false };
    } else {
      if (options.running() >= concurrency) return [];
      try {
        // A savepoint: a failed claim undoes itself only, never the caller's run. The slots are
        // counted in the store, where this transaction's earlier claims are (should it roll
        // back, they are gone with it).
        result = store.tx(() => {
          const busy = Math.max(options.running(), countActiveRuns(store, workerId));
          return claimRuns(store, { pool, workerId, limit: concurrency - busy });
        });
      } catch (error) {
        logger.warn("could not claim runs as they were made; the next claim takes them:", error);
        return [];
      }
    }
    // Runs it left behind wait for the next slot (it never clears this: it may roll back).
    if (result.more) waiting = true;
    for (const run of result.claimed) claimedNow.add(run.id);
    // Started ahead of the news of their states: each process then starts while the events
    // go out (the stream, the log, the triggers).
    store.afterCommit(() => {
      if (result.nextDueAt !== undefined) armTimer(result.nextDueAt);
      for (const run of result.claimed) options.start(run);
    }, true);
    store.afterCommit(() => {
      for (const run of result.claimed) claimedNow.delete(run.id);
    });
    return [...result.claimed, ...(result.cancelled ?? [])];
  };

  return {
    wake,
    startAs,
    claimNow,
    // A run that starts frees no slot: only an ended attempt (or a wake) is worth a claim, and
    // an ended one only when runs were left waiting for a slot, or it is itself to run again.
    inFlush: ({ endedAttempts, reopened }) => {
      claimedNow.clear();
      if (stopped || !(claimWanted || reopened || (endedAttempts && waiting))) return undefined;
      claimWanted = false;
      const free = concurrency - options.running();
      if (free <= 0) return undefined;
      const result = claimRuns(store, { pool, workerId, limit: free });
      return () => {
        waiting = result.more;
        armTimer(result.nextDueAt);
        for (const run of result.claimed) options.start(run);
      };
    },
    onEvent: (event) => {
      // A run claimed as it was made needs no second look.
      if (event.name === "flow-run.scheduled" && claimedNow.has(event.resource ?? "")) return;
      if (wakesWorker(event.name)) wake();
    },
    lookAt: (at) => armTimer(at),
    stop: () => {
      stopped = true;
      armTimer(null);
    },
  };
}
