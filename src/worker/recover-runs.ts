import {
  getWorker,
  listActiveRuns,
  type RunRow,
  type Store,
  transitionRun,
} from "../store/index.ts";
import { loseWorker } from "./lose-worker.ts";
import { groupAlive, isSameProcess, stopProcessGroup } from "./process-tree.ts";

/** Who is recovering: the new embedded worker, on this host. */
export interface RecoverOptions {
  workerId: string;
  host: string;
  graceMs: number;
}

/**
 * At an embedded worker's start: every run left PENDING, RUNNING or CANCELLING by an orch that
 * died (a previous embedded worker, one marked offline, or no worker at all) becomes CRASHED.
 * Its process, if it is still the same process (pid and start time), is stopped with its whole
 * group first; a pid now used by another process is left alone. Runs of remote workers that
 * are still online are theirs: the heartbeat timeout decides about them.
 */
export async function recoverRuns(store: Store, options: RecoverOptions): Promise<RunRow[]> {
  const recovered: RunRow[] = [];
  const lost = new Map<string, Map<string, string>>();
  for (const run of listActiveRuns(store)) {
    if (run.worker_id === options.workerId) continue;
    const owner = run.worker_id ? getWorker(store, run.worker_id) : null;
    const orphaned = owner?.status !== "online" || owner.name === "embedded";
    if (!orphaned) continue;
    const local = !owner || owner.host === options.host;
    const what = await stopLeftover(run, local, options.graceMs);
    const message = `orch stopped while this run was ${run.state_type}${what}`;
    if (owner) {
      const whys = lost.get(owner.id) ?? new Map<string, string>();
      lost.set(owner.id, whys.set(run.id, message));
      continue;
    }
    try {
      recovered.push(transitionRun(store, run.id, { type: "CRASHED", message }).run);
    } catch {
      // Moved on by someone else meanwhile: nothing to recover.
    }
  }
  // Their processes are stopped: their workers are gone, with what they held.
  for (const [ownerId, whys] of lost) {
    recovered.push(
      ...loseWorker(
        store,
        ownerId,
        (run) => whys.get(run.id) ?? `orch stopped while this run was ${run.state_type}`,
      ),
    );
  }
  return recovered;
}

async function stopLeftover(run: RunRow, local: boolean, graceMs: number): Promise<string> {
  if (run.pid === null) return ", before its process started";
  const where = ` (pid ${run.pid})`;
  if (!local) return `${where}; its process was on another host and could not be checked`;
  if (isSameProcess(run.pid, run.pid_started)) {
    await stopProcessGroup(run.pid, graceMs);
    return `${where}; its process was stopped`;
  }
  // The leader is gone but its group is not: a group id is never reused while it has members,
  // so what is left there is still this run's.
  if (!isPidTaken(run.pid) && groupAlive(run.pid)) {
    await stopProcessGroup(run.pid, graceMs);
    return `${where}; its process had already exited; what it left running was stopped`;
  }
  return `${where}; its process had already exited`;
}

function isPidTaken(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
