/**
 * The wait before retry number `n` (1 for the first retry) of a list of delays, one per retry:
 * past its end, the last one repeats. The same rule for a deployment's `retry_delay: [...]` and
 * a task's `retryDelay: [...]`.
 */
export function retryDelayAt(delays: readonly number[], n: number): number {
  return delays[Math.max(1, Math.min(n, delays.length)) - 1] ?? 0;
}
