/**
 * How long a task waits before each retry: a duration (`"2s"`), a list of them (one per retry,
 * the last repeated), or `exponential(base, { max, jitter })`. Checked when the task is defined,
 * so a typo fails at once and not at the first retry.
 */
// Not the core's index: the flow-run entry loads only what a run needs.
import { parseDuration } from "../core/duration.ts";
import { retryDelayAt } from "../core/retry-delay.ts";

/** A duration: text like `"500ms"`, `"2s"`, `"1m"`, or a number of seconds. */
export type Duration = string | number;

/** Delays that grow: `base`, then twice as long at each retry, up to `max`. */
export interface ExponentialBackoff {
  readonly kind: "exponential";
  readonly baseMs: number;
  readonly maxMs: number;
  /** Up to this fraction of each delay is added at random (0 to 1), so retries spread out. */
  readonly jitter: number;
}

/** A task's retryDelay option. */
export type RetryDelay = Duration | readonly Duration[] | ExponentialBackoff;

/** Milliseconds of a duration, or an error that names the option and says what is expected. */
export function durationMs(value: Duration, where: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) {
    throw new TypeError(
      `${where}: ${JSON.stringify(value)} is not a duration; use text like "500ms", "2s" or "1m", or a number of seconds`,
    );
  }
  return ms;
}

/**
 * Retry delays that double each time: `exponential("1s")` waits 1s, 2s, 4s, …;
 * `{ max: "30s" }` caps each delay, `{ jitter: 0.2 }` adds up to 20% of it at random.
 */
export function exponential(
  base: Duration,
  options: { max?: Duration; jitter?: number } = {},
): ExponentialBackoff {
  const jitter = options.jitter ?? 0;
  if (!(jitter >= 0 && jitter <= 1)) {
    throw new TypeError(`exponential(): jitter must be a fraction from 0 to 1, not ${jitter}`);
  }
  return {
    kind: "exponential",
    baseMs: durationMs(base, "exponential()"),
    maxMs: options.max === undefined ? Infinity : durationMs(options.max, "exponential(): max"),
    jitter,
  };
}

/** A checked retryDelay: the wait before retry number `n` (1 for the first retry). */
export type RetryDelays = (n: number) => number;

/** Check a retryDelay option once; `where` names it in errors (`task "load": retryDelay`). */
export function retryDelays(delay: RetryDelay | undefined, where: string): RetryDelays {
  if (delay === undefined) return () => 0;
  if (typeof delay === "object" && !Array.isArray(delay) && "kind" in delay) {
    const { baseMs, maxMs, jitter } = delay as ExponentialBackoff;
    return (n) => {
      const plain = baseMs * 2 ** (n - 1);
      return Math.min(maxMs, plain + Math.random() * jitter * plain);
    };
  }
  if (Array.isArray(delay)) {
    if (!delay.length) throw new TypeError(`${where}: the list of delays is empty`);
    const list = delay.map((d, i) => durationMs(d, `${where}[${i}]`));
    return (n) => retryDelayAt(list, n);
  }
  const ms = durationMs(delay as Duration, where);
  return () => ms;
}
