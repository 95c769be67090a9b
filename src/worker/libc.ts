/**
 * The few Linux process controls orch needs that neither Bun nor node:process expose, called in
 * the C library through bun:ffi. Loaded on first use; elsewhere than on Linux (or where the C
 * library cannot be opened) every call reports that it did nothing.
 */
import { dlopen, ptr } from "bun:ffi";

const PR_SET_PDEATHSIG = 1;
const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;

function open() {
  // A compiled orch is linked against glibc, so its own libc.so.6 is already loaded: dlopen
  // finds it by name, with no file of ours to ship.
  return dlopen("libc.so.6", {
    // prctl is variadic; its extra arguments are passed as unsigned longs, as the kernel reads them.
    prctl: { args: ["i32", "u64", "u64", "u64", "u64"], returns: "i32" },
    getppid: { args: [], returns: "i32" },
    waitpid: { args: ["i32", "ptr", "i32"], returns: "i32" },
  }).symbols;
}

let symbols: ReturnType<typeof open> | null | undefined;

function libc(): ReturnType<typeof open> | null {
  if (symbols === undefined) {
    try {
      symbols = process.platform === "linux" ? open() : null;
    } catch {
      symbols = null;
    }
  }
  return symbols;
}

/**
 * Make this process a child subreaper: a descendant whose parent ends (a daemon that forked
 * away, setsid or not) is re-parented to us instead of to init. False where that is unavailable.
 */
export function setChildSubreaper(): boolean {
  return libc()?.prctl(PR_SET_CHILD_SUBREAPER, 1n, 0n, 0n, 0n) === 0;
}

/** Ask the kernel to send `signal` (a number) to this process when its parent ends. */
export function setParentDeathSignal(signal: number): boolean {
  return libc()?.prctl(PR_SET_PDEATHSIG, BigInt(signal), 0n, 0n, 0n) === 0;
}

/**
 * End this process (SIGKILL) as soon as its parent, `parentPid`, ends: at once if it already
 * has (then the kernel gave us a new parent before we could ask). For a process whose work means
 * nothing without its parent, such as a flow whose worker is gone. Does nothing where unavailable.
 */
export function dieWithParent(parentPid: number): void {
  if (!Number.isInteger(parentPid) || parentPid <= 0) return;
  if (!setParentDeathSignal(9)) return;
  if (libc()?.getppid() !== parentPid) process.kill(process.pid, "SIGKILL");
}

const status = new Int32Array(1);

/**
 * Collect the exit status of our child `pid` if it has ended (waitpid with WNOHANG), so it leaves
 * the process table. Only for children nobody else waits for: re-parented orphans, never
 * processes Bun.spawn started (Bun collects those itself).
 */
export function reapChild(pid: number): boolean {
  const lib = libc();
  return lib ? lib.waitpid(pid, ptr(status), WNOHANG) === pid : false;
}
