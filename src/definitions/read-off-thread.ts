import { threadEntryUrl } from "../core/index.ts";
import type { loadDefinitionFile } from "./read-files.ts";

/** What reading one definition file gave (see loadDefinitionFile). */
export type LoadedDefinition = ReturnType<typeof loadDefinitionFile>;

/** Reads and parses definition files on a thread of its own. */
export interface DefinitionReader {
  /**
   * Read, parse and validate `files` (absolute paths in the project at `root`) off this
   * thread: their results in order, `onEach` told as each one comes. Rejects with
   * ReaderUnavailable when the thread cannot run (the caller reads them itself then).
   */
  read(files: string[], root: string, onEach?: (done: number) => void): Promise<LoadedDefinition[]>;
  /** End the thread; reads under way reject with ReaderUnavailable. */
  stop(): void;
}

/** The reader's thread could not start, died, or was stopped: read on this thread instead. */
export class ReaderUnavailable extends Error {}

interface Pending {
  results: LoadedDefinition[];
  onEach?: (done: number) => void;
  resolve(results: LoadedDefinition[]): void;
  reject(error: Error): void;
}

/**
 * A reader whose thread starts now, so it has loaded the parser and compiled the definition
 * schema (half a second of CPU) by the time the first file is asked for. Why a thread: parsing
 * is synchronous and costs about a third of a millisecond per deployment, so a file of 2,000
 * held the server's event loop for most of a second, with every request waiting; on its own
 * thread it holds nothing, and the server takes each file's result in as one message. The
 * thread does not keep the process alive. `onFailed` hears once why it cannot run.
 */
export function createDefinitionReader(
  options: { onFailed?: (message: string) => void } = {},
): DefinitionReader {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let failed: string | null = null;
  let worker: Worker | null = null;

  const fail = (message: string) => {
    if (failed === null) {
      failed = message;
      options.onFailed?.(message);
    }
    worker?.terminate();
    worker = null;
    for (const p of pending.values()) p.reject(new ReaderUnavailable(message));
    pending.clear();
  };

  try {
    worker = new Worker(threadEntryUrl("definitions/parse-worker.ts", import.meta.url));
    // Bun's Worker can let the process exit (the web UI's DOM types do not know it).
    (worker as unknown as Bun.Worker).unref();
    worker.onmessage = (event: MessageEvent) => {
      const m = event.data as {
        id: number;
        index?: number;
        loaded?: LoadedDefinition;
        done?: true;
        failed?: string;
      };
      const p = pending.get(m.id);
      if (!p) return;
      if (m.failed !== undefined) return fail(m.failed);
      if (m.done) {
        pending.delete(m.id);
        return p.resolve(p.results);
      }
      p.results[m.index!] = m.loaded ?? null;
      p.onEach?.(m.index! + 1);
    };
    worker.onerror = (event) => fail(event.message || "the definition reader's thread failed");
  } catch (error) {
    fail((error as Error).message);
  }

  return {
    read(files, root, onEach) {
      if (!worker) return Promise.reject(new ReaderUnavailable(failed ?? "stopped"));
      const id = nextId++;
      const running = worker;
      return new Promise((resolve, reject) => {
        pending.set(id, { results: new Array(files.length).fill(null), onEach, resolve, reject });
        running.postMessage({ id, root, files });
      });
    },
    stop() {
      const running = worker;
      worker = null;
      running?.terminate();
      for (const p of pending.values()) p.reject(new ReaderUnavailable("stopped"));
      pending.clear();
    },
  };
}
