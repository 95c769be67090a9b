import { watch } from "chokidar";
import type { DeployReport } from "../core/index.ts";
import type { Deployer } from "./create-deployer.ts";

export interface WatchOptions {
  /** Quiet time after the last change of a burst before redeploying (ms). */
  settleMs?: number;
  onReport(report: DeployReport): void;
  onError(error: unknown): void;
}

/** Wait before a failed redeploy is tried again. */
const RETRY_MS = 1000;

const IGNORED = /(^|[/\\])(node_modules|\.git|\.orch)([/\\]|$)|\.(swp|swx|tmp)$|~$|\.#/;

/**
 * Watch `dir` and redeploy what changed. A burst of events (an editor's write-then-rename, or
 * several quick saves) is gathered until `settleMs` pass without one, then deployed once; only
 * the changed files are re-read. Returns a function that stops watching.
 */
export async function watchDefinitions(
  dir: string,
  deployer: Deployer,
  options: WatchOptions,
): Promise<() => Promise<void>> {
  const settleMs = options.settleMs ?? 40;
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    const paths = [...pending];
    pending.clear();
    try {
      options.onReport(deployer.deployChanged(paths));
    } catch (error) {
      // Nothing of this pass was written (the store was busy, a disk error): try these paths
      // again shortly, with whatever changes after them.
      options.onError(error);
      for (const path of paths) pending.add(path);
      timer ??= setTimeout(flush, RETRY_MS);
    }
  };
  const watcher = watch(dir, {
    ignoreInitial: true,
    ignored: (path) => IGNORED.test(path),
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
    if (!ready || event === "addDir" || event === "unlinkDir") return;
    pending.add(path);
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, settleMs);
  });
  watcher.on("error", options.onError);
  await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  ready = true;
  return async () => {
    if (timer) clearTimeout(timer);
    await watcher.close();
  };
}
