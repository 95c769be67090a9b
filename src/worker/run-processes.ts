import { readFileSync, statSync } from "node:fs";
import { groupAlive, isAlive, listProcesses, procPids, signalGroup } from "./process-tree.ts";

/**
 * What ties a process to a run: the ORCH_RUN_ID (and ORCH_ATTEMPT) its attempt was started with.
 * Every descendant inherits them, however it detaches (setsid, double fork), and they are in the
 * process's environment from its first instruction, so they are "recorded" atomically with the
 * spawn: whoever knows the run id can find its processes, even those orch never saw a pid of.
 */
export interface RunMark {
  runId: string;
  /** Match only this attempt (a later attempt of the same run may be running). */
  attempt?: number;
}

/** The environment variables that carry a run's mark (spawnRun sets them). */
export function markEnv(mark: Required<RunMark>): Record<string, string> {
  return { ORCH_RUN_ID: mark.runId, ORCH_ATTEMPT: String(mark.attempt) };
}

/** Whether process `pid` carries `mark` in its environment (Linux; our own user's processes). */
export function carriesMark(pid: number, mark: RunMark): boolean {
  let environ: string;
  try {
    environ = `\0${readFileSync(`/proc/${pid}/environ`, "latin1")}`;
  } catch {
    return false;
  }
  if (!environ.includes(`\0ORCH_RUN_ID=${mark.runId}\0`)) return false;
  if (mark.attempt !== undefined && !environ.includes(`\0ORCH_ATTEMPT=${mark.attempt}\0`)) {
    return false;
  }
  return isOurs(pid);
}

/**
 * The live processes that carry `mark`, from one pass over /proc that reads nothing but their
 * environments: the cheap look a run's end takes where this process is not a subreaper.
 */
export function findMarkedProcesses(mark: RunMark): number[] {
  // A zombie's environment reads empty, so it never matches.
  return procPids().filter((pid) => pid !== process.pid && carriesMark(pid, mark));
}

/** A process of our own user (root reads every environment; it still stops only its own). */
function isOurs(pid: number): boolean {
  try {
    return statSync(`/proc/${pid}`).uid === process.getuid?.();
  } catch {
    return false;
  }
}

/**
 * Every live process of a run, from one pass over /proc: those that carry its mark, those in the
 * process group of `leader` (its main process, when known), and all their descendants (a child
 * that cleared its environment is still found through its parent). Never this process nor its
 * ancestors (an orch started from within a run carries that run's mark too).
 */
export function findRunProcesses(mark: RunMark, leader?: number | null): number[] {
  const processes = listProcesses();
  const excluded = selfAndAncestors(processes);
  const children = new Map<number, number[]>();
  for (const p of processes) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const found = new Set<number>();
  const add = (pid: number) => {
    if (excluded.has(pid) || found.has(pid)) return;
    found.add(pid);
    for (const child of children.get(pid) ?? []) add(child);
  };
  for (const p of processes) {
    if ((leader != null && p.pgid === leader) || carriesMark(p.pid, mark)) add(p.pid);
  }
  return [...found];
}

/**
 * Send `signal` to the group of `leader` and to each live process of the run; how many live
 * processes it reached (where /proc cannot tell, 1 when the group was there).
 */
export function signalRunProcesses(
  mark: RunMark,
  leader: number | null | undefined,
  signal: NodeJS.Signals,
): number {
  // Looked for before anything is signalled: a process that ends at once still counts.
  const found = findRunProcesses(mark, leader);
  const group = leader != null && signalGroup(leader, signal);
  if (process.platform !== "linux") return group ? 1 : 0;
  for (const pid of found) {
    try {
      process.kill(pid, signal);
    } catch {
      // Ended meanwhile (the group's signal reached it first).
    }
  }
  return found.length;
}

/**
 * Stop every process of a run (see findRunProcesses): SIGTERM to all of them, up to `graceMs`
 * for them to go, then SIGKILL to whatever is left, a tree that ignores SIGTERM or a daemon that
 * left its process group included. Resolves with the last signal sent (null when nothing was
 * running), once they are gone or SIGKILL has been sent.
 */
export async function stopRunProcesses(
  mark: RunMark,
  leader: number | null | undefined,
  graceMs: number,
): Promise<"SIGTERM" | "SIGKILL" | null> {
  if (signalRunProcesses(mark, leader, "SIGTERM") === 0) return null;
  const alive = () =>
    process.platform === "linux"
      ? findRunProcesses(mark, leader).length > 0
      : leader != null && groupAlive(leader);
  const deadline = performance.now() + graceMs;
  // Polling only while stopping: a run's processes have no event to wait on. Each look is a pass
  // over /proc, so not more often than every 25 ms.
  while (performance.now() < deadline) {
    if (!alive()) return "SIGTERM";
    await Bun.sleep(Math.min(25, Math.max(1, deadline - performance.now())));
  }
  if (signalRunProcesses(mark, leader, "SIGKILL") === 0) return "SIGTERM";
  return "SIGKILL";
}

/** This process and its ancestors: an orch started from within a run carries that run's mark. */
function selfAndAncestors(processes = listProcesses()): Set<number> {
  const parents = new Map(processes.map((p) => [p.pid, p.ppid]));
  const excluded = new Set<number>([process.pid]);
  for (let p = parents.get(process.pid); p && !excluded.has(p); p = parents.get(p)) excluded.add(p);
  return excluded;
}

/**
 * The runs of the server at `apiUrl` whose processes outlived the worker that started them on
 * this host: our own processes whose mark names a worker (ORCH_WORKER_PID, set by spawnRun) that
 * is gone and that server (ORCH_API_URL). Why the server: a user's other projects have runs of
 * their own on this host, which their own next worker stops and records. One pass over /proc
 * (Linux; empty elsewhere).
 */
export function findOrphanedRuns(apiUrl: string): Required<RunMark>[] {
  const runs = new Map<string, Required<RunMark>>();
  const excluded = selfAndAncestors();
  for (const pid of procPids()) {
    if (excluded.has(pid)) continue;
    let environ: string;
    try {
      environ = `\0${readFileSync(`/proc/${pid}/environ`, "latin1")}`;
    } catch {
      continue;
    }
    const value = (name: string) => new RegExp(`\0${name}=([^\0]*)`).exec(environ)?.[1];
    const runId = value("ORCH_RUN_ID");
    const worker = Number(value("ORCH_WORKER_PID"));
    const attempt = Number(value("ORCH_ATTEMPT"));
    if (!runId || !Number.isInteger(worker) || worker < 2 || !Number.isInteger(attempt)) continue;
    if (value("ORCH_API_URL") !== apiUrl) continue;
    if (isAlive(worker) || !isOurs(pid)) continue;
    runs.set(`${runId}/${attempt}`, { runId, attempt });
  }
  return [...runs.values()];
}

/**
 * Stop what runs of the server at `apiUrl` left running on this host when their worker died
 * (see findOrphanedRuns). A remote
 * worker killed with -9 cannot stop its runs' processes, and no server may run on its host to do
 * it: the next worker started there does, before it takes runs. Resolves with the runs stopped.
 */
export async function stopOrphanedRuns(
  apiUrl: string,
  graceMs: number,
): Promise<Required<RunMark>[]> {
  const runs = findOrphanedRuns(apiUrl);
  await Promise.all(runs.map((mark) => stopRunProcesses(mark, null, graceMs)));
  return runs;
}
