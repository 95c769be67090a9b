import type { Attempt } from "./execute-attempt.ts";

/** How a worker stops. */
export interface StopOptions {
  /** How long running runs may go on before they are stopped (CANCELLED). Default 0. */
  graceMs?: number;
  /** The message a run stopped this way ends CANCELLED with. */
  message?: string;
}

/**
 * A requested stop, the same for every worker: it already takes no runs (`finished` settles once
 * the last one ends); runs get `graceMs` to end on their own and keep their true state, then
 * what still runs is stopped and ends CANCELLED with the message. Calling it during a drain cuts
 * the drain short.
 */
export async function stopWithGrace(
  finished: Promise<void>,
  running: () => Iterable<Attempt>,
  options: StopOptions,
  defaultMessage: string,
): Promise<void> {
  const graceMs = options.graceMs ?? 0;
  if (graceMs > 0) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      finished,
      new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
  }
  for (const attempt of running()) attempt.stop(options.message ?? defaultMessage);
  await finished;
}
