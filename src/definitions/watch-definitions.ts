import { statSync } from "node:fs";
import { basename, dirname } from "node:path";
import { watch } from "chokidar";
import type { DeployReport, Pacer } from "../core/index.ts";
import type { Deployer } from "./create-deployer.ts";
import { isScratchFile } from "./scratch-files.ts";

export interface WatchOptions {
  /** Quiet time after the last change of a burst before redeploying (ms). */
  settleMs?: number;
  /**
   * Redeploy in slices with this pacer (the server: a save of thousands of deployments leaves
   * the API answering); without one, each redeploy is one pass.
   */
  pacer?: Pacer;
  onReport(report: DeployReport): void;
  onError(error: unknown): void;
}

/** Wait before a failed redeploy is tried again. */
const RETRY_MS = 1000;

/**
 * How long after a redeploy its files are looked at once more. Why: the file watcher drops a
 * file's event that comes within a few milliseconds of the one before (a per-file throttle), so
 * a second save right after the first (a script, a checkout, an editor's double write) would go
 * unseen until the file changed again. A changed size, time or inode brings the file back.
 */
const RECHECK_MS = 150;

/** What tells that a file changed: its inode, size and modification time ("" when gone). */
function signature(path: string): string {
  const stat = statSync(path, { throwIfNoEntry: false, bigint: true });
  return stat ? `${stat.ino}:${stat.size}:${stat.mtimeNs}` : "";
}

const IGNORED_DIRS = /(^|[/\\])(node_modules|\.git|\.orch)([/\\]|$)/;

/** Which folder `dir` is now: its device and inode ("" when it is not there). */
function folderIdentity(dir: string): string {
  const stat = statSync(dir, { throwIfNoEntry: false, bigint: true });
  return stat?.isDirectory() ? `${stat.dev}:${stat.ino}` : "";
}

/**
 * Watch `dir` and redeploy what changed. A burst of events (an editor's write-then-rename, or
 * several quick saves) is gathered until `settleMs` pass without one, then deployed once; only
 * the changed files are re-read. Returns a function that stops watching.
 *
 * `dir` itself may go and come back (a checkout of a branch without it, a move, a sync tool):
 * a watcher of a folder dies with it, so its parent is watched too, for `dir` alone. When `dir`
 * goes, or a folder comes in its place, its watcher is made again and everything is deployed
 * once more, as at start (deployments of a folder that is gone are removed from scheduling).
 */
export async function watchDefinitions(
  dir: string,
  deployer: Deployer,
  options: WatchOptions,
): Promise<() => Promise<void>> {
  const settleMs = options.settleMs ?? 40;
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let recheck: ReturnType<typeof setTimeout> | undefined;
  /** Each redeployed file's signature as it was read, for the second look. */
  const read = new Map<string, string>();
  /** The folder may have gone or come back: looked at in the next pass. */
  let folderEvent = false;
  /** The next pass deploys every file (the folder was replaced, or that pass failed). */
  let whole = false;
  const wake = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, settleMs);
  };
  const schedule = (path: string) => {
    pending.add(path);
    wake();
  };
  /** A redeploy under way: changes that come meanwhile wait for it, then go in the next. */
  let busy = false;
  const flush = async () => {
    timer = undefined;
    if (busy || closed) return;
    busy = true;
    let all = false;
    let paths: string[] = [];
    try {
      // One stat a pass: a folder removed and made again at once may bring no event of its own.
      if (folderEvent || folderIdentity(dir) !== files.identity) {
        folderEvent = false;
        whole = true;
        await rearm();
        if (closed) return;
      }
      all = whole;
      whole = false;
      paths = all ? [] : [...pending];
      pending.clear();
      // Taken before the files are read: a write after this is seen by the second look.
      const seen = paths.map((path) => [path, signature(path)] as const);
      const report = all
        ? options.pacer
          ? await deployer.deployAllPaced({ pacer: options.pacer })
          : deployer.deployAll()
        : options.pacer
          ? await deployer.deployChangedPaced(paths, { pacer: options.pacer })
          : deployer.deployChanged(paths);
      if (closed) return;
      options.onReport(report);
      for (const [path, before] of seen) read.set(path, before);
      clearTimeout(recheck);
      recheck = setTimeout(() => {
        recheck = undefined;
        const looked = [...read];
        read.clear();
        for (const [path, before] of looked) if (signature(path) !== before) schedule(path);
      }, RECHECK_MS);
      recheck.unref?.();
    } catch (error) {
      if (closed) return;
      // The pass failed (the store was busy, a disk error): try these paths again shortly, with
      // whatever changes after them (what it wrote already is written again unchanged).
      options.onError(error);
      for (const path of paths) pending.add(path);
      if (all) whole = true;
      timer ??= setTimeout(flush, RETRY_MS);
    } finally {
      busy = false;
      if ((pending.size || whole || folderEvent) && !timer && !closed)
        timer = setTimeout(flush, settleMs);
    }
  };
  let closed = false;
  /** The watcher of the folder's files, and which folder it watches. */
  let files: { identity: string; close: () => Promise<void> } = {
    identity: folderIdentity(dir),
    close: async () => {},
  };
  /** Watch the folder that is at `dir` now (none when there is none), in place of the last. */
  const rearm = async () => {
    await files.close();
    // None until the new one is ready: should it fail, the next pass tries again.
    files = { identity: "", close: async () => {} };
    const identity = folderIdentity(dir);
    if (!identity || closed) return;
    const close = await watchFiles(identity);
    // Stopped while it got ready: nothing else would close it.
    if (closed) await close();
    else files = { identity, close };
  };
  const watchFiles = async (identity: string): Promise<() => Promise<void>> => {
    const watcher = watch(dir, {
      ignoreInitial: true,
      // What no bundle holds (scratch files) changes no version: no redeploy for it.
      ignored: (path) => IGNORED_DIRS.test(path) || isScratchFile(basename(path)),
      // orch gathers bursts itself; chokidar's own atomic-save delay would only add latency.
      atomic: false,
      // Linked directories are not walked, as at start: a link may lead anywhere (even to /).
      // A linked file is reported as itself; the deployer decides whether to read it.
      followSymlinks: false,
    });
    let ready = false;
    watcher.on("all", (event, path) => {
      // The caller deployed everything just before: the initial scan is not a change (chokidar
      // reports links found by it even with ignoreInitial).
      if (!ready || files.identity !== identity) return;
      if (path === dir) {
        // The folder itself went: this watcher is done for.
        folderEvent = true;
        wake();
      } else if (event !== "addDir" && event !== "unlinkDir") schedule(path);
    });
    watcher.on("error", options.onError);
    await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
    ready = true;
    return () => watcher.close();
  };
  if (files.identity) files = { ...files, close: await watchFiles(files.identity) };
  // The parent, for the folder alone: it tells when the folder goes or comes back.
  const parent = dirname(dir);
  const around = watch(parent, {
    ignoreInitial: true,
    depth: 0,
    ignored: (path) => path !== parent && path !== dir,
    atomic: false,
    followSymlinks: false,
  });
  around.on("all", (_event, path) => {
    if (path !== dir) return;
    folderEvent = true;
    wake();
  });
  around.on("error", options.onError);
  await new Promise<void>((resolve) => around.once("ready", () => resolve()));
  return async () => {
    closed = true;
    if (timer) clearTimeout(timer);
    clearTimeout(recheck);
    await Promise.all([around.close(), files.close()]);
  };
}
