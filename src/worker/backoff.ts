import { sleep } from "./sleep.ts";

/** Capped exponential backoff with jitter, for loops that wait for a server to come back. */
export interface Backoff {
  /** Wait the next delay (doubling up to the cap); resolves early when `signal` aborts. */
  wait(signal?: AbortSignal): Promise<void>;
  /** Back to the shortest delay (the server answered). */
  reset(): void;
  /** Failures since the last reset. */
  readonly failures: number;
}

/** Create a backoff: `minMs` first, doubling to `maxMs`, each delay jittered by up to ±20%. */
export function createBackoff(minMs = 200, maxMs = 5000): Backoff {
  let failures = 0;
  return {
    wait(signal) {
      const base = Math.min(maxMs, minMs * 2 ** failures);
      failures++;
      return sleep(base * (0.8 + Math.random() * 0.4), signal);
    },
    reset() {
      failures = 0;
    },
    get failures() {
      return failures;
    },
  };
}
