import { type ProjectPaths, threadEntryUrl } from "../core/index.ts";
import type { Store } from "../store/index.ts";
import { describePass, emptyPass, type RetentionPass, runRetentionPass } from "./retention-pass.ts";
import type { Logger } from "./server-options.ts";

export interface RetentionOptions {
  store: Store;
  paths: ProjectPaths;
  logger: Logger;
  /** Time between passes. Default: an hour. */
  intervalMs?: number;
  /** Time before the first pass (orch starts first). Default: a minute; null: only runNow. */
  firstDelayMs?: number | null;
}

/** The running retention service. */
export interface Retention {
  /** Run a pass now (after the one under way, if any). */
  runNow(): Promise<RetentionPass>;
  /** Stop: the pass under way ends at its next slice. */
  stop(): Promise<void>;
}

class Stopped extends Error {}

/**
 * Apply retention on a timer: each pass (see runRetentionPass) runs on a thread of its own with
 * its own connection to the store. Why a thread: a pass over a large store deletes for minutes,
 * and SQLite's work on the way (each slice's commit, the checkpoints that copy the write-ahead
 * log back into the file, the incremental vacuum) would otherwise hold the server's event loop
 * for tens or hundreds of milliseconds at a time. On its own thread it holds only the write lock,
 * a slice at a time: the API's reads never wait for it (WAL), its writes at most a slice. Where
 * no thread can be started, the pass runs on the server's thread, in slices with rests.
 */
export function startRetention(options: RetentionOptions): Retention {
  const { store, paths, logger } = options;
  const intervalMs = options.intervalMs ?? 60 * 60_000;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: Promise<RetentionPass> = Promise.resolve(emptyPass());
  let stopWorker = () => {};

  const onThread = (now: number) =>
    new Promise<RetentionPass>((resolve, reject) => {
      const worker = new Worker(threadEntryUrl("server/retention-worker.ts", import.meta.url));
      let settled = false;
      const end = (fn: () => void) => {
        if (settled) return;
        settled = true;
        stopWorker = () => {};
        worker.terminate();
        fn();
      };
      stopWorker = () => worker.postMessage({ type: "stop" });
      worker.onmessage = (event: MessageEvent) => {
        const m = event.data as { type: string; result?: RetentionPass; message?: string };
        if (m.type === "done") end(() => resolve(m.result!));
        else if (m.type === "stopped") end(() => reject(new Stopped()));
        else end(() => reject(new Error(m.message)));
      };
      worker.onerror = (event) => end(() => reject(new ThreadFailed(event.message)));
      worker.postMessage({ type: "pass", db: store.path, paths, now });
    });

  // On the server's thread: between slices the server gets as long as the slice took (2-20 ms),
  // as a request needs several turns of the event loop.
  const inThread = (now: number) => {
    let sliceStarted = performance.now();
    const pause = () =>
      new Promise<void>((resolve, reject) => {
        const worked = performance.now() - sliceStarted;
        setTimeout(
          () => {
            if (stopped) return reject(new Stopped());
            sliceStarted = performance.now();
            resolve();
          },
          Math.min(20, Math.max(2, worked)),
        );
      });
    return runRetentionPass(store, paths, now, pause);
  };

  const pass = async (): Promise<RetentionPass> => {
    const now = store.clock.now();
    let result: RetentionPass;
    try {
      result = await onThread(now);
    } catch (error) {
      if (!(error instanceof ThreadFailed)) throw error;
      logger.warn(`retention runs on the server's thread (${error.message})`);
      result = await inThread(now);
    }
    const line = describePass(result);
    if (line) logger.info(line);
    return result;
  };
  const runNow = () => {
    current = current.then(pass, pass).catch((error) => {
      if (!(error instanceof Stopped))
        logger.error("retention failed (it runs again later):", error);
      return emptyPass();
    });
    return current;
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => void runNow().finally(() => schedule(intervalMs)), ms);
  };
  if (options.firstDelayMs !== null) schedule(options.firstDelayMs ?? 60_000);
  return {
    runNow,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      stopWorker();
      await current;
    },
  };
}

/** The pass's thread could not start (or died): it runs on the server's thread instead. */
class ThreadFailed extends Error {}
