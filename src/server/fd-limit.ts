import { readdirSync, readFileSync } from "node:fs";

/** The process's limit on open file descriptors (RLIMIT_NOFILE). */
export interface FileLimit {
  soft: number;
  hard: number;
}

/** RLIMIT_NOFILE on Linux (x86-64 and arm64 alike). */
const RLIMIT_NOFILE = 7;

/** The open-file limits from /proc/self/limits, or null where there is no /proc. */
export function readFileLimit(): FileLimit | null {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const [soft, hard] = (line?.slice("Max open files".length).trim().split(/\s+/) ?? []).map(
      (n) => (n === "unlimited" ? Number.POSITIVE_INFINITY : Number(n)),
    );
    return soft && hard ? { soft, hard } : null;
  } catch {
    return null;
  }
}

/**
 * Raise the soft limit on open files to the hard limit (the usual soft limit, 1024, is a
 * leftover of select(); servers raise their own). The runtime does so itself at start today;
 * doing it here keeps the connection budget from depending on that. Best effort: where it
 * cannot be raised, the limit stays as it was. Returns the limit in force afterwards.
 */
export async function raiseFileLimit(): Promise<FileLimit | null> {
  const before = readFileLimit();
  if (!before || before.soft >= before.hard || process.platform !== "linux") return before;
  // An unlimited hard limit still cannot pass the kernel's own ceiling.
  const target = Number.isFinite(before.hard)
    ? before.hard
    : Number(readFileSync("/proc/sys/fs/nr_open", "utf8").trim()) || 1_048_576;
  try {
    const { dlopen, ptr } = await import("bun:ffi");
    const libc = dlopen("libc.so.6", { setrlimit: { args: ["i32", "ptr"], returns: "i32" } });
    try {
      const limits = new BigUint64Array([BigInt(target), BigInt(before.hard)]);
      if (!Number.isFinite(before.hard)) limits[1] = 0xffffffffffffffffn;
      libc.symbols.setrlimit(RLIMIT_NOFILE, ptr(limits));
    } finally {
      libc.close();
    }
  } catch {
    // No libc to call (another C library, no FFI): the limit stays.
  }
  return readFileLimit();
}

/** How many file descriptors this process has open (0 where that cannot be known). */
export function openFileCount(): number {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return 0;
  }
}

/** What the API may hold open, so that runs always have descriptors left to start. */
export interface ConnectionBudget {
  /** Connections open at once, from all clients. */
  total: number;
  /** Connections open at once from one client address. */
  perAddress: number;
  /** Descriptors kept for runs (pipes, log files, working copies) and orch's own files. */
  reserve: number;
  /** The limit it was computed from. */
  limit: number;
}

/** Descriptors one API connection costs: the client's, and both ends of the inner socket. */
export const FDS_PER_CONNECTION = 3;

/** More connections than this are refused whatever the limit (each costs memory and time). */
const MAX_CONNECTIONS = 10_000;

/**
 * The connection budget under a descriptor limit, with `inUse` descriptors already open: a
 * quarter of the limit (at least 256) is kept for runs and orch itself; the rest is shared by
 * connections, each client address getting a quarter of them (at least 64), so one client
 * cannot take them all.
 */
export function connectionBudget(limit: number, inUse: number): ConnectionBudget {
  const finite = Number.isFinite(limit) ? limit : 1_048_576;
  const reserve = Math.max(256, Math.floor(finite / 4));
  const total = Math.min(
    MAX_CONNECTIONS,
    Math.max(16, Math.floor((finite - inUse - reserve) / FDS_PER_CONNECTION)),
  );
  const perAddress = Math.min(total, Math.max(64, Math.floor(total / 4)));
  return { total, perAddress, reserve, limit: finite };
}
