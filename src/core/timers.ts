/**
 * Timers that can be replaced: the flow runtime waits (retry delays, timeouts) through these,
 * so a test can run an hour of waiting at once with a manual clock (orch/testing).
 */

/** Time and timers: the real ones, or a manual clock's. */
export interface Timers {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Call `fn` once `ms` have passed; returns what cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** The runtime's own clock and timers. */
export const realTimers: Timers = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

/** A clock that moves only when told: `advance(ms)` fires the timers due on the way, in order. */
export interface ManualClock extends Timers {
  /** Move the clock `ms` forward, firing each timer as its time comes, letting the code it wakes run. */
  advance(ms: number): Promise<void>;
}

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * Let the code that waits on promises run (what a timer woke, and what that awaits in turn).
 * Why a few rounds of setImmediate: each round runs every microtask queued before it, so a
 * chain of awaits settles; a few rounds also let a short piece of real I/O (a resolved fetch
 * of a mock) through.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A manual clock that starts at `start` (epoch milliseconds). */
export function createManualClock(start: number): ManualClock {
  let now = start;
  let seq = 0;
  const pending: Pending[] = [];
  return {
    now: () => now,
    setTimer(ms, fn) {
      const entry = { at: now + Math.max(0, ms), seq: seq++, fn };
      pending.push(entry);
      return () => {
        const i = pending.indexOf(entry);
        if (i >= 0) pending.splice(i, 1);
      };
    },
    async advance(ms) {
      const target = now + ms;
      await settle();
      for (;;) {
        let next: Pending | undefined;
        for (const p of pending) {
          if (p.at <= target && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq)))
            next = p;
        }
        if (!next) break;
        pending.splice(pending.indexOf(next), 1);
        now = Math.max(now, next.at);
        next.fn();
        await settle();
      }
      now = target;
      await settle();
    },
  };
}
