/** Time, injected so tests can control it. Milliseconds since the epoch. */
export interface Clock {
  now(): number;
  /**
   * Milliseconds this process has been awake, from any origin: a monotonic clock, which stands
   * still while the machine sleeps. A clock without it cannot tell a sleep from work.
   */
  awake?(): number;
}

/** The wall clock, with the runtime's monotonic clock beside it. */
export const systemClock: Clock = { now: () => Date.now(), awake: () => performance.now() };

/**
 * A sleep detector. Each call says how much further the wall clock moved than the awake clock
 * since the previous call: the time the machine slept (or the clock was set forward), or 0 when
 * that is under `thresholdMs` (timer jitter, clock slewing) or the clock has no awake(). The
 * scheduler and the heartbeat checks measure with it, so a sleep is caught up at once on waking
 * and time a process spent frozen is never counted as a worker's silence.
 */
export function createSleepDetector(clock: Clock, thresholdMs: number): () => number {
  if (!clock.awake) return () => 0;
  const awake = () => clock.awake!();
  let wall = clock.now();
  let mono = awake();
  return () => {
    const nextWall = clock.now();
    const nextMono = awake();
    const slept = nextWall - wall - (nextMono - mono);
    wall = nextWall;
    mono = nextMono;
    return slept > thresholdMs ? slept : 0;
  };
}

/** An ISO time from epoch milliseconds, or null. */
export function iso(ms: number | null | undefined): string | null {
  return ms == null ? null : new Date(ms).toISOString();
}
