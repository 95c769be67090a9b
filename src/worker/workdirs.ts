import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { isAlive } from "./process-tree.ts";

/** The folders and files of a tree, relative to it; a version's tree never changes. */
interface Listing {
  dirs: string[];
  files: string[];
  bytes: number;
}

const listings = new Map<string, Listing>();

function list(root: string): Listing {
  const listing = listings.get(root);
  if (listing) return listing;
  const found: Listing = { dirs: [], files: [], bytes: 0 };
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        found.dirs.push(path);
        walk(path);
      } else if (entry.isFile()) {
        found.files.push(path);
        found.bytes += statSync(join(root, path)).size;
      }
    }
  };
  walk("");
  listings.set(root, found);
  return found;
}

/** A working folder: a copy of a version's tree, for one attempt at a time. */
export interface Workdir {
  path: string;
  tree: string;
}

/** Copies of trees this small are checked byte for byte and kept for the next run. */
const REUSE_MAX_BYTES = 256 * 1024;
/** Copies kept per version, at most. */
const KEEP_PER_TREE = 8;
/** Kept copies of a version no run used for this long are deleted. */
const IDLE_MS = 10 * 60_000;

let instances = 0;

/**
 * Working folders for runs: each attempt gets its own copy of its version's files, so what one
 * run writes is never seen by another and the version's files stay as deployed. Copies, not hard
 * links: a run as root could write through a link. Each worker process keeps its folders under
 * `root/<pid>-<n>` and, at start, deletes only those of processes that are gone.
 *
 * Why copies are kept: making and deleting a folder for each run costs more than running a small
 * command. A small copy (REUSE_MAX_BYTES) that a run left exactly as it got it (same entries,
 * modes and bytes: checked, not trusted to timestamps) is given to the next run of that version; any
 * other is deleted in the background.
 */
export function createWorkdirs(root: string) {
  mkdirSync(root, { recursive: true });
  for (const entry of readdirSync(root)) {
    const pid = Number(entry.split("-")[0]);
    if (!Number.isInteger(pid) || !isAlive(pid)) {
      rmSync(join(root, entry), { recursive: true, force: true });
    }
  }
  const own = join(root, `${process.pid}-${++instances}`);
  mkdirSync(own, { recursive: true });
  const idle = new Map<string, Workdir[]>();
  const lastUsed = new Map<string, number>();
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

  /** Whether a copy still holds exactly the tree's entries and bytes. */
  const pristine = (workdir: Workdir, listing: Listing): boolean => {
    try {
      for (const dir of ["", ...listing.dirs]) {
        const expected = [...listing.dirs, ...listing.files].filter(
          (p) => p.slice(0, p.lastIndexOf("/") + 1) === (dir ? `${dir}/` : ""),
        ).length;
        if (readdirSync(join(workdir.path, dir)).length !== expected) return false;
      }
      return listing.files.every((f) => {
        const copy = join(workdir.path, f);
        const original = join(workdir.tree, f);
        return (
          statSync(copy).mode === (statSync(original).mode | 0o200) &&
          readFileSync(copy).equals(readFileSync(original))
        );
      });
    } catch {
      return false;
    }
  };

  return {
    /** A folder holding a fresh copy of `tree`, for one attempt. */
    acquire(tree: string): Workdir {
      // Copies of versions no run used for a while (older versions, after edits) are let go.
      const now = Date.now();
      lastUsed.set(tree, now);
      for (const [other, at] of lastUsed) {
        if (now - at < IDLE_MS) continue;
        for (const w of idle.get(other) ?? []) removeLater(w.path);
        idle.delete(other);
        lastUsed.delete(other);
      }
      const kept = idle.get(tree);
      const reused = kept?.pop();
      if (reused && existsSync(reused.path)) return reused;
      const listing = list(tree);
      const path = join(own, String(++made));
      mkdirSync(path);
      for (const dir of listing.dirs) mkdirSync(join(path, dir));
      for (const file of listing.files) {
        const target = join(path, file);
        copyFileSync(join(tree, file), target);
        // The version's files are read-only; a run's own copy is its to change.
        chmodSync(target, statSync(target).mode | 0o200);
      }
      return { path, tree };
    },
    /** Delete every folder of this process (the worker stopped; no run is going on). */
    dispose(): void {
      idle.clear();
      rmSync(own, { recursive: true, force: true });
    },
    /** Give a folder back once its run ended: kept for the next run if untouched, else deleted. */
    release(workdir: Workdir): void {
      const listing = list(workdir.tree);
      const kept = idle.get(workdir.tree) ?? [];
      if (
        listing.bytes <= REUSE_MAX_BYTES &&
        kept.length < KEEP_PER_TREE &&
        pristine(workdir, listing)
      ) {
        kept.push(workdir);
        idle.set(workdir.tree, kept);
      } else removeLater(workdir.path);
    },
  };
}

/** A pool of working folders (see createWorkdirs). */
export type Workdirs = ReturnType<typeof createWorkdirs>;
