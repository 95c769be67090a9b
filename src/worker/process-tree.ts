import { readdirSync, readFileSync } from "node:fs";

/**
 * A process's start time as the kernel records it (/proc/<pid>/stat field 22, clock ticks since
 * boot): with the pid, it names one process, so a reused pid is told apart. Null where there is
 * no /proc (macOS) or no such process.
 */
export function processStartTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

/** Whether a process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  if (process.platform !== "linux") return true;
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== "Z";
}

/** Whether `pid` is still the process that started at `started` (from processStartTime). */
export function isSameProcess(pid: number, started: string | null): boolean {
  if (!isAlive(pid)) return false;
  const now = processStartTime(pid);
  // Without /proc the start time is unknown on both sides; the pid is all there is to go on.
  return now === started;
}

/** Whether any process is left in a process group (zombies aside, where /proc can tell). */
export function groupAlive(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid < 2) return false;
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  if (process.platform !== "linux") return true;
  return groupMembers(pgid).length > 0;
}

/** Live (non-zombie) pids in a process group, from /proc (Linux only; empty elsewhere). */
export function groupMembers(pgid: number): number[] {
  return listProcesses()
    .filter((p) => p.pgid === pgid)
    .map((p) => p.pid);
}

/** One live process as /proc/<pid>/stat shows it. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
}

/** Every live (non-zombie) process of the machine, from /proc (Linux only; empty elsewhere). */
export function listProcesses(): ProcessEntry[] {
  const found: ProcessEntry[] = [];
  for (const pid of procPids()) {
    const fields = statFields(pid);
    if (fields && fields[0] !== "Z")
      found.push({ pid, ppid: Number(fields[1]), pgid: Number(fields[2]) });
  }
  return found;
}

/** The pids /proc lists now (Linux; none where there is no /proc). */
export function procPids(): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  return entries.filter((entry) => /^\d+$/.test(entry)).map(Number);
}

/** The fields of /proc/<pid>/stat after the command name (state first); null once it is gone. */
export function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // The command name may itself hold spaces and parentheses: split after its last ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/**
 * Send a signal to every process of a group; false when the group is gone. A group id below 2 is
 * never a run's (kill(-1) would signal every process of this user): false, nothing sent.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pgid) || pgid < 2) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
