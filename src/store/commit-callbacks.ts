import type { EventRow } from "./events.ts";

/**
 * What runs once a transaction commits (never on rollback), in three tiers: first the processes
 * of runs claimed (they start while the news goes out), then the live listeners (an event
 * stream, a run's log stream: a client following a run hears of a change, its last lines first,
 * before orch's own bookkeeping of it), then the other listeners (the scheduler, the log,
 * metrics, triggers). A savepoint that fails drops what it added, in every tier. A callback
 * that throws neither stops the others nor makes the writer believe its write failed.
 */
export function createCommitCallbacks(
  inTransaction: () => boolean,
  onListenerError: (error: unknown) => void,
) {
  const FIRST = 0;
  const LIVE = 1;
  const REST = 2;
  let tiers: (() => void)[][] = [[], [], []];
  const call = <T>(listener: (value: T) => void, value: T) => {
    try {
      listener(value);
    } catch (error) {
      onListenerError(error);
    }
  };
  const run = (callback: () => void) => call(callback, undefined);
  const later = (fn: () => void, tier: number): void => {
    if (inTransaction()) tiers[tier]!.push(fn);
    else run(fn);
  };
  const tell = <T>(set: Set<(value: T) => void>, value: T) => {
    for (const listener of set) call(listener, value);
  };
  const listeners = new Set<(event: EventRow) => void>();
  const live = new Set<(event: EventRow) => void>();
  const logListeners = new Set<(runSeqs: number[]) => void>();

  return {
    /** Where a savepoint starts: what it adds is dropped should it fail (dropSince). */
    mark: (): number[] => tiers.map((tier) => tier.length),
    dropSince(marks: number[]): void {
      for (const [i, tier] of tiers.entries()) tier.length = marks[i]!;
    },
    /** The transaction rolled back: nothing of it runs. */
    dropAll(): void {
      tiers = [[], [], []];
    },
    /** The transaction committed: run what it left, tier by tier. */
    runAll(): void {
      const done = tiers;
      tiers = [[], [], []];
      for (const tier of done) for (const callback of tier) run(callback);
    },
    afterCommit: (fn: () => void, first = false): void => later(fn, first ? FIRST : REST),
    subscribe(listener: (event: EventRow) => void, options: { live?: boolean } = {}) {
      const set = options.live ? live : listeners;
      set.add(listener);
      return () => void set.delete(listener);
    },
    publish(event: EventRow): void {
      if (live.size) later(() => tell(live, event), LIVE);
      if (listeners.size) later(() => tell(listeners, event), REST);
    },
    watchLogs(listener: (runSeqs: number[]) => void) {
      logListeners.add(listener);
      return () => void logListeners.delete(listener);
    },
    publishLogs(runSeqs: number[]): void {
      if (logListeners.size) later(() => tell(logListeners, runSeqs), LIVE);
    },
  };
}
