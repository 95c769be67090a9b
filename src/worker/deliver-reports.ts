import type { Link } from "./link.ts";

/**
 * Wait until what a remote worker's queue holds is delivered; or, once orch has not answered
 * for `limitMs` on end, give up (`lost` is told how many are left: the queue is in memory only,
 * so what it holds is lost). A stopping worker waits here: without a limit, a worker whose
 * server is gone would not stop.
 */
export async function deliverOrGiveUp(
  queue: { drained(): Promise<void>; readonly size: number },
  link: Pick<Link, "isUp">,
  limitMs: number,
  lost: (left: number, limitMs: number) => void,
): Promise<void> {
  let done = false;
  const drained = queue.drained().then(() => {
    done = true;
  });
  let downSince: number | null = null;
  while (!done) {
    await Promise.race([drained, Bun.sleep(100)]);
    if (done) return;
    if (link.isUp) {
      downSince = null;
      continue;
    }
    downSince ??= Date.now();
    if (downSince + limitMs <= Date.now()) {
      lost(queue.size, limitMs);
      return;
    }
  }
}
