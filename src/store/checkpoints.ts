import { threadEntryUrl } from "../core/thread-entry.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** Pages the server's own connection lets the log grow to before it checkpoints itself. */
export const BACKSTOP_PAGES = 20_000;

/** The checkpoint thread, once started. */
export interface Checkpoints {
  /** Stop checkpointing and close the thread's connection (before the store is closed). */
  stop(): Promise<void>;
}

/**
 * Copy the write-ahead log back into the store from a thread of its own, every `everyMs`.
 * Why: SQLite checkpoints on the connection whose commit crosses 1,000 pages of log, inside that
 * commit; a checkpoint copies those pages and syncs the file twice, which on this kind of disk
 * took from a few to tens of milliseconds, and a run's state changes write about 55 pages, so one
 * run in 18 waited for it, with every request behind it. On its own connection and thread a
 * checkpoint never holds the server's thread; the server's connection still checkpoints itself
 * past BACKSTOP_PAGES, should the thread fall behind or fail. Null where no thread can start (the
 * server then checkpoints as SQLite does by default).
 */
export function startCheckpoints(store: Store, everyMs = 200): Checkpoints | null {
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
  let stopping: Promise<void> | null = null;
  // Until the thread says it runs, the server keeps checkpointing as before.
  const selfCheckpoints = (pages: number) => {
    // The store may be closed already; nothing is left to set then.
    try {
      db.run(`PRAGMA wal_autocheckpoint = ${pages}`);
    } catch {}
  };
  thread.onmessage = (event: MessageEvent<{ type: string }>) => {
    if (event.data.type === "started") {
      if (!stopping) selfCheckpoints(BACKSTOP_PAGES);
    } else if (event.data.type === "stopped") stopped?.();
    else selfCheckpoints(1000);
  };
  thread.onerror = () => {
    selfCheckpoints(1000);
    stopped?.();
  };
  thread.postMessage({ type: "start", db: store.path, everyMs });
  return {
    stop() {
      stopping ??= closeThread();
      return stopping;
    },
  };

  async function closeThread() {
    selfCheckpoints(1000);
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
