import { existsSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { triggerEventOf } from "../../core/index.ts";
import {
  arrivalOfEvent,
  arrivalPaths,
  arrivalSeen,
  deploymentSpec,
  deploymentsWithTriggers,
  type EventRow,
  forgetArrivals,
  getRun,
  markMoved,
  pendingMoves,
  recordArrival,
  runsMadeFromEvent,
  type Store,
} from "../../store/index.ts";
import type { TriggerLogger } from "../start-triggers.ts";

import { hashFile } from "./hash-file.ts";
import { moveDone } from "./move-done.ts";

/** One watched folder and glob, shared by every trigger that names the same ones. */
interface Watch {
  watch: string;
  folder: string;
  glob: string;
  /** The longest settle time of its triggers. */
  settle_ms: number;
  move_to?: string;
}

/** What a scan last saw of a file: it counts once neither changed for the settle time. */
interface Seen {
  size: number;
  mtimeMs: number;
  since: number;
  done: boolean;
}

/** Names that say a file is still being written (a download, an editor's temp or backup). */
const IN_PROGRESS = /(~|\.(tmp|temp|part|partial|crdownload|download|swp|swx))$/i;

/** How often folders are scanned (a settle time shorter than this waits for the next scan). */
export const SCAN_MS = 250;

/**
 * Watch the folders that deployments' `files:` triggers name. A file matching a watch's glob
 * counts once its size and mtime have not changed for the settle time (so a file copied in is
 * seen after the copy ends, and one moved or renamed in after the settle time); it is then
 * hashed (streamed, between scans, never in a request) and recorded with its `file.arrived`
 * event in one transaction, keyed by watch, path and hash: each content of each file is one
 * event, exactly once, across restarts. Triggers then start runs from that event like from any
 * other. With `move_to`, a file goes to its done folder once a run it triggered completed.
 * A file that leaves the folder (moved to done, or deleted) is forgotten: dropped in again, it is
 * a new arrival, and the store keeps no record of files long gone.
 *
 * Why scans and not file system notifications: a scan sees size and mtime, which is what
 * "stopped growing" means; notifications differ by platform and by file system (network
 * mounts send none), and a scan of a folder is cheap at this rate.
 */
export function startFileArrivals(options: {
  store: Store;
  logger?: TriggerLogger;
  scanMs?: number;
}): { stop(): Promise<void> } {
  const { store } = options;
  const logger = options.logger ?? { info() {}, warn() {}, error() {} };
  const scanMs = options.scanMs ?? SCAN_MS;
  let watches = new Map<string, Watch>();
  const seen = new Map<string, Map<string, Seen>>();
  const missing = new Set<string>();
  /** Watches scanned once since start: their files gone while orch was down are forgotten. */
  const checked = new Set<string>();
  /** Per watch, handled files the last scan missed (forgotten if the next one misses them too). */
  const away = new Map<string, Set<string>>();
  let reload = true;
  /** Each deployment's `files:` triggers; `all` reads every deployment again, else `changed`. */
  const filesOf = new Map<string, Watch[]>();
  let all = true;
  const changed = new Set<string>();

  const load = () => {
    // Only the deployments that changed are read again: a save of thousands of deployments is a
    // burst of their events, and reading every spec each time held the server's thread.
    const rows = deploymentsWithTriggers(store, all ? undefined : changed);
    if (all) filesOf.clear();
    for (const name of changed) filesOf.delete(name);
    all = false;
    changed.clear();
    for (const row of rows) {
      // A paused deployment's files wait for it: they count once it is resumed.
      if (row.paused) continue;
      const files = deploymentSpec(row).triggers.flatMap((t) => (t.files ? [t.files] : []));
      if (files.length) filesOf.set(row.name, files);
    }
    const next = new Map<string, Watch>();
    for (const f of [...filesOf.values()].flat()) {
      const had = next.get(f.watch);
      next.set(f.watch, { ...f, settle_ms: Math.max(f.settle_ms, had?.settle_ms ?? 0) });
    }
    for (const id of seen.keys()) if (!next.has(id)) seen.delete(id);
    for (const id of checked) if (!next.has(id)) checked.delete(id);
    for (const id of away.keys()) if (!next.has(id)) away.delete(id);
    watches = next;
  };

  const handle = async (w: Watch, path: string, last: Seen) => {
    const mtime = Math.floor(last.mtimeMs);
    if (arrivalSeen(store, w.watch, path, last.size, mtime)) {
      last.done = true;
      return;
    }
    const sha256 = await hashFile(path);
    const now = statSync(path, { throwIfNoEntry: false });
    // Changed while it was read: it has not settled after all.
    if (!now || now.size !== last.size || now.mtimeMs !== last.mtimeMs) return;
    const payload = {
      path,
      file: basename(path),
      folder: w.folder,
      size: last.size,
      sha256,
      watch: w.watch,
    };
    const event = recordArrival(
      store,
      {
        watch: w.watch,
        path,
        sha256,
        size: last.size,
        mtime_ms: mtime,
        move_to: w.move_to ?? null,
      },
      payload,
    );
    last.done = true;
    if (event) logger.info(`${path} arrived (${last.size} bytes): event file.arrived #${event.id}`);
  };

  const scan = async (w: Watch) => {
    if (!existsSync(w.folder)) {
      if (!missing.has(w.folder))
        logger.warn(`the watched folder ${w.folder} does not exist (yet)`);
      missing.add(w.folder);
      return;
    }
    missing.delete(w.folder);
    const files = seen.get(w.watch) ?? new Map<string, Seen>();
    seen.set(w.watch, files);
    const present = new Set<string>();
    for await (const rel of new Bun.Glob(w.glob).scan({ cwd: w.folder, onlyFiles: true })) {
      if (IN_PROGRESS.test(rel)) continue;
      const path = join(w.folder, rel);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat?.isFile()) continue;
      present.add(path);
      const now = store.clock.now();
      const last = files.get(path);
      if (!last || last.size !== stat.size || last.mtimeMs !== stat.mtimeMs) {
        files.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, since: now, done: false });
        continue;
      }
      if (last.done || now - last.since < w.settle_ms) continue;
      try {
        await handle(w, path, last);
      } catch (error) {
        logger.warn(`${path} could not be read: ${(error as Error).message}`);
      }
    }
    // Files that left are forgotten once two scans in a row miss them, and never by a scan that
    // finds the folder empty: a network share not mounted leaves an empty folder, and its files
    // must not all run again when it is back.
    const vanished = checked.has(w.watch)
      ? [...files.keys()].filter((path) => !present.has(path))
      : arrivalPaths(store, w.watch).filter((path) => !present.has(path));
    checked.add(w.watch);
    for (const path of vanished) files.delete(path);
    const before = away.get(w.watch) ?? new Set<string>();
    const forget = present.size ? [...before].filter((path) => !present.has(path)) : [];
    forgetArrivals(store, w.watch, forget);
    const still = new Set(vanished);
    for (const path of before) if (!present.has(path) && !forget.includes(path)) still.add(path);
    away.set(w.watch, still);
  };

  /** Move an arrival's file to its done folder once a run it triggered completed. */
  const moveAfter = (eventId: number) => {
    const arrival = arrivalOfEvent(store, eventId);
    if (!arrival?.move_to || arrival.moved_at !== null) return;
    const now = statSync(arrival.path, { throwIfNoEntry: false });
    if (!now || now.size !== arrival.size || Math.floor(now.mtimeMs) !== arrival.mtime_ms) {
      logger.warn(`${arrival.path} is gone or changed since its run started; it is not moved`);
    } else {
      const target = moveDone(arrival.path, arrival.move_to, arrival.sha256);
      logger.info(`${arrival.path} moved to ${target}`);
      // Moved by us: it has left, and the same file dropped in again is a new arrival.
      forgetArrivals(store, arrival.watch, [arrival.path]);
      return;
    }
    markMoved(store, eventId);
  };

  const completed: number[] = [];
  const unsubscribe = store.subscribe((row: EventRow) => {
    if (row.name.startsWith("deployment.")) {
      reload = true;
      if (row.resource) changed.add(row.resource);
      else all = true;
    }
    if (row.name !== "flow-run.completed" || !row.resource) return;
    const run = row.run ?? getRun(store, row.resource);
    const eventId = run ? triggerEventOf(run) : null;
    if (eventId !== null) completed.push(eventId);
  });

  // Runs that completed while orch was down still move their files.
  for (const arrival of pendingMoves(store)) {
    if (runsMadeFromEvent(store, arrival.event_id).some((r) => r.state_type === "COMPLETED"))
      completed.push(arrival.event_id);
  }

  let running = true;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (running) {
      try {
        if (reload) {
          reload = false;
          load();
        }
        for (let id = completed.shift(); id !== undefined; id = completed.shift()) {
          try {
            moveAfter(id);
          } catch (error) {
            logger.warn(`a file of event #${id} could not be moved: ${(error as Error).message}`);
          }
        }
        for (const w of watches.values()) if (running) await scan(w);
      } catch (error) {
        logger.error("watching folders for files failed (trying again):", error);
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, scanMs);
      });
    }
  })();

  return {
    async stop() {
      running = false;
      unsubscribe();
      wake?.();
      await loop;
    },
  };
}
