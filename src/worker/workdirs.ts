import { copyFileSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";

/** The folders and files of a tree, relative to it; a version's tree never changes. */
interface Listing {
  dirs: string[];
  files: string[];
}

const listings = new Map<string, Listing>();

function list(root: string): Listing {
  const listing = listings.get(root);
  if (listing) return listing;
  const found: Listing = { dirs: [], files: [] };
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        found.dirs.push(path);
        walk(path);
      } else if (entry.isFile()) found.files.push(path);
    }
  };
  walk("");
  listings.set(root, found);
  return found;
}

/** A working folder: a copy of a version's tree, and the change times it had when made. */
interface Workdir {
  path: string;
  tree: string;
  stamps: number[];
}

/** Change times of a copy's folders and files (ctime moves on any write, create, delete or chmod). */
function stampsOf(path: string, listing: Listing): number[] | null {
  try {
    return ["", ...listing.dirs, ...listing.files].map((p) => statSync(join(path, p)).ctimeMs);
  } catch {
    return null;
  }
}

/**
 * Working folders for runs: each attempt gets its own copy of its version's (read-only) files,
 * so what one run writes is never seen by another and the version's files stay as deployed.
 * Copies, not hard links: a run as root could write through a link. A copy a run left exactly
 * as it got it is given to the next run of that version instead of being made again (copying
 * and deleting folders for each run would cost more than the run of a small command); one it
 * changed is deleted in the background.
 */
export function createWorkdirs(root: string) {
  mkdirSync(root, { recursive: true });
  const idle = new Map<string, Workdir[]>();
  const doomed: string[] = [];
  let sweeping: ReturnType<typeof setTimeout> | null = null;
  let made = 0;

  const removeLater = (path: string) => {
    doomed.push(path);
    sweeping ??= setTimeout(() => {
      sweeping = null;
      for (const p of doomed.splice(0))
        void rm(p, { recursive: true, force: true }).catch(() => {});
    }, 1000);
    sweeping.unref?.();
  };

  return {
    /** A folder holding a pristine copy of `tree`, for one attempt. */
    acquire(tree: string): Workdir {
      const reused = idle.get(tree)?.pop();
      if (reused) return reused;
      const listing = list(tree);
      const path = join(root, String(++made));
      mkdirSync(path);
      for (const dir of listing.dirs) mkdirSync(join(path, dir));
      for (const file of listing.files) copyFileSync(join(tree, file), join(path, file));
      const stamps = stampsOf(path, listing) ?? [];
      return { path, tree, stamps };
    },
    /** Give a folder back once its run ended: kept for the next run if untouched, else deleted. */
    release(workdir: Workdir): void {
      const now = stampsOf(workdir.path, list(workdir.tree));
      // A folder's change time moves when an entry is added or removed in it: comparing the
      // stamps of every folder and file tells whether anything at all changed.
      const untouched =
        now !== null &&
        now.length === workdir.stamps.length &&
        now.every((t, i) => t === workdir.stamps[i]);
      if (untouched) {
        const pool = idle.get(workdir.tree) ?? [];
        pool.push(workdir);
        idle.set(workdir.tree, pool);
      } else removeLater(workdir.path);
    },
  };
}

/** A pool of working folders (see createWorkdirs). */
export type Workdirs = ReturnType<typeof createWorkdirs>;
