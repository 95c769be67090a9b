// Long work in the server (loading a large project, planning thousands of schedules, a redeploy
// of thousands of deployments) shares one thread with the API. It runs in slices: a slice works
// until its budget is spent, then the work rests for a turn of the event loop so requests are
// answered in between. One pacer decides both, so every long pass is bounded the same way.

/** How long a slice may work before it rests (ms): a request waits at most about this long. */
export const SLICE_MS = 8;

/** Decides when a slice of long work is over, and rests between slices. */
export interface Pacer {
  /** Whether the current slice has spent its budget (false always for a pacer that never rests). */
  over(): boolean;
  /** Rest (the event loop serves others), then start a new slice. */
  rest(): Promise<void>;
}

/**
 * A pacer whose slices work `sliceMs` and rest a timer's turn: requests that arrived meanwhile
 * are read and answered before the next slice starts.
 */
export function createPacer(sliceMs = SLICE_MS): Pacer {
  let started = performance.now();
  return {
    over: () => performance.now() - started > sliceMs,
    rest: () =>
      new Promise<void>((resolve) => {
        // A timer, not setImmediate: a request needs several turns of the loop (accept, read,
        // answer), and an immediate would give it only one before the next slice.
        setTimeout(() => {
          started = performance.now();
          resolve();
        }, 1);
      }),
  };
}

/** A pacer that never rests: the work runs in one pass (a command, a test, a small project). */
export const unpaced: Pacer = { over: () => false, rest: async () => {} };

/** Work that stops (yields) where a slice may end; it returns its result when done. */
export type Sliced<T> = Generator<void, T, void>;

/** Run sliced work to its end in one synchronous pass. */
export function runAtOnce<T>(work: Sliced<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}

/** Run sliced work, resting (`pacer.rest()`) wherever it yields once its slice is over. */
export async function runPaced<T>(work: Sliced<T>, pacer: Pacer): Promise<T> {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    if (pacer.over()) await pacer.rest();
  }
}
