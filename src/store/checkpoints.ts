import type { Pacer } from "../core/slices.ts";
import { threadEntryUrl } from "../core/thread-entry.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** Pages the server's own connection lets the log grow to before it checkpoints itself. */
export const BACKSTOP_PAGES = 20_000;

/**
 * Pages of log past which long work, between its slices, waits for a pass of the thread (see
 * Checkpoints.pace): about 32 MB of log, copied back by the thread meanwhile.
 */
export const LONG_PAGES = 8000;

/** How long a rest waits for the thread's pass before it goes on without (the thread is stuck). */
const PASS_WAIT_MS = 1000;

/** The checkpoint thread, once started. */
export interface Checkpoints {
  /**
   * The pacer of long work (a load, planning, a redeploy) with rests that, while the log is
   * long, wait for a pass of the thread first: the next write then starts the log over.
   * Why: the log starts over only when a write finds it wholly copied back, and a pass that a
   * commit lands in never leaves it so; long work commits every slice, so without this the log
   * grew to the backstop, whose checkpoint held the server's thread for 130-180 ms. The work
   * writes nothing while it rests, and requests are answered meanwhile.
   */
  pace(pacer: Pacer): Pacer;
  /** Stop checkpointing and close the thread's connection (before the store is closed). */
  stop(): Promise<void>;
}

/**
 * Copy the write-ahead log back into the store from a thread of its own, every `everyMs`; past
 * `longPages` of log, paced work waits for a pass between its slices (see Checkpoints.pace).
 * Why: SQLite checkpoints on the connection whose commit crosses 1,000 pages of log, inside that
 * commit; a checkpoint copies those pages and syncs the file twice, which on this kind of disk
 * took from a few to tens of milliseconds, and a run's state changes write about 55 pages, so one
 * run in 18 waited for it, with every request behind it. On its own connection and thread a
 * checkpoint never holds the server's thread; the server's connection still checkpoints itself
 * past BACKSTOP_PAGES, should the thread fall behind or fail. Null where no thread can start (the
 * server then checkpoints as SQLite does by default).
 */
export function startCheckpoints(
  store: Store,
  everyMs = 200,
  longPages = LONG_PAGES,
): Checkpoints | null {
  if (store.path === ":memory:") return null;
  let thread: Worker;
  try {
    thread = new Worker(threadEntryUrl("store/checkpoint-thread.ts", import.meta.url));
  } catch {
    return null;
  }
  (thread as Worker & { unref(): void }).unref();
  const db = sqlite(store);
  let stopped: (() => void) | undefined;
  // The thread said the log is long; a pass asked for and not yet answered.
  let long = false;
  let passed: (() => void) | null = null;
  let passing: Promise<void> | null = null;
  let stopping: Promise<void> | null = null;
  // Until the thread says it runs, the server keeps checkpointing as before.
  const selfCheckpoints = (pages: number) => {
    // The store may be closed already; nothing is left to set then.
    try {
      db.run(`PRAGMA wal_autocheckpoint = ${pages}`);
    } catch {}
  };
  thread.onmessage = (event: MessageEvent<{ type: string }>) => {
    const { type } = event.data;
    if (type === "started") {
      if (!stopping) selfCheckpoints(BACKSTOP_PAGES);
    } else if (type === "long") long = true;
    else if (type === "passed") {
      // A "long" sent before this pass is answered by it.
      long = false;
      passed?.();
    } else if (type === "stopped") stopped?.();
    else selfCheckpoints(1000);
  };
  thread.onerror = () => {
    selfCheckpoints(1000);
    long = false;
    passed?.();
    stopped?.();
  };
  thread.postMessage({ type: "start", db: store.path, everyMs, longPages });
  /** A pass of the thread now; resolves when it is done (or the thread does not answer). */
  const pass = () => {
    passing ??= new Promise<void>((resolve) => {
      long = false;
      const timer = setTimeout(() => passed?.(), PASS_WAIT_MS);
      passed = () => {
        clearTimeout(timer);
        passed = null;
        passing = null;
        resolve();
      };
      thread.postMessage({ type: "pass" });
    });
    return passing;
  };
  return {
    pace: (pacer) => ({
      over: pacer.over,
      async rest() {
        if (long && !stopping) await pass();
        await pacer.rest();
      },
    }),
    stop() {
      stopping ??= closeThread();
      return stopping;
    },
  };

  async function closeThread() {
    selfCheckpoints(1000);
    passed?.();
    // The thread closes its connection first, so the store's close is the last one's (which
    // checkpoints what is left and removes the log); a thread that does not answer is ended.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      stopped = () => {
        clearTimeout(timer);
        resolve();
      };
      thread.postMessage({ type: "stop" });
    });
    thread.terminate();
  }
}
