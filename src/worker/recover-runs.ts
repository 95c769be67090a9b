import { isTerminal, toOrchError } from "../core/index.ts";
import {
  getRun,
  getWorker,
  listActiveRuns,
  type RunRow,
  recordNotice,
  type Store,
  transitionRun,
} from "../store/index.ts";
import { loseWorker } from "./lose-worker.ts";
import { groupAlive, isSameProcess } from "./process-tree.ts";
import { stopRunProcesses } from "./run-processes.ts";

/** Who is recovering: the new embedded worker, on this host. */
export interface RecoverOptions {
  workerId: string;
  host: string;
  graceMs: number;
  /** Where a run that could not be recorded CRASHED is reported (before the error goes on). */
  logger?: { error(...args: unknown[]): void };
  /**
   * A run's container, when it has one (createContainerRecovery): stopped and removed, with the
   * tail of its CRASHED message; null for a run of processes.
   */
  containers?: (run: RunRow) => Promise<string | null>;
}

/**
 * At an embedded worker's start: every run left PENDING, RUNNING or CANCELLING by an orch that
 * died (a previous embedded worker, one marked offline, or no worker at all) becomes CRASHED.
 * Its processes on this host are stopped first, all runs' at once: found by the run's mark (see
 * RunMark), so a process spawned just before orch died, whose pid was never recorded, is found
 * too, and by its recorded pid and group while that pid is still the same process (a pid now
 * used by another process is left alone). Runs of remote workers that are still online are
 * theirs: the heartbeat timeout decides about them.
 */
export async function recoverRuns(store: Store, options: RecoverOptions): Promise<RunRow[]> {
  const orphans: { run: RunRow; ownerId: string | null; local: boolean }[] = [];
  for (const run of listActiveRuns(store)) {
    if (run.worker_id === options.workerId) continue;
    const owner = run.worker_id ? getWorker(store, run.worker_id) : null;
    const orphaned = owner?.status !== "online" || owner.name === "embedded";
    if (!orphaned) continue;
    orphans.push({ run, ownerId: owner?.id ?? null, local: !owner || owner.host === options.host });
  }
  // Any attempt of the run: none can be running anywhere else now.
  const what = await Promise.all(
    orphans.map(async ({ run, local }) => {
      const container = options.containers ? await options.containers(run) : null;
      return container ?? stopLeftover(run, { local, graceMs: options.graceMs });
    }),
  );
  const recovered: RunRow[] = [];
  const lost = new Map<string, Map<string, string>>();
  for (const [i, { run, ownerId }] of orphans.entries()) {
    const message = `orch stopped while this run was ${run.state_type}${what[i]}`;
    if (ownerId) {
      const whys = lost.get(ownerId) ?? new Map<string, string>();
      lost.set(ownerId, whys.set(run.id, message));
      continue;
    }
    try {
      recovered.push(store.tx(() => crash(store, run, message)));
    } catch (error) {
      // Moved on to its end by someone else meanwhile (the rules refuse): nothing to recover.
      const now = getRun(store, run.id);
      if (toOrchError(error).code === "E_ILLEGAL_TRANSITION" && now && isTerminal(now.state_type)) {
        continue;
      }
      options.logger?.error(`could not record run ${run.id} as CRASHED:`, error);
      throw error;
    }
  }
  // Their processes are stopped: their workers are gone, with what they held.
  for (const [ownerId, whys] of lost) {
    try {
      recovered.push(
        ...store.tx(() => {
          const lostRuns = loseWorker(
            store,
            ownerId,
            (run) => whys.get(run.id) ?? `orch stopped while this run was ${run.state_type}`,
            // orch died under them: a PENDING run's process may have started (and was stopped
            // above), so it may have done part of its work; with retries left they run again.
            { mayHaveStarted: () => true, interrupted: true },
          );
          for (const run of lostRuns) if (run.state_type === "CRASHED") notice(store, run);
          return lostRuns;
        }),
      );
    } catch (error) {
      options.logger?.error(`could not record the runs of worker ${ownerId} as CRASHED:`, error);
      throw error;
    }
  }
  return recovered;
}

/**
 * End a run CRASHED (AwaitingRetry when it has retries left) and keep a notice of a crash, so
 * a view opened later still sees it.
 */
function crash(store: Store, run: RunRow, message: string): RunRow {
  // orch died under it: with retries left, it runs again (core/rules.ts).
  const crashed = transitionRun(store, run.id, { type: "CRASHED", message, interrupted: true }).run;
  if (crashed.state_type === "CRASHED") notice(store, crashed);
  return crashed;
}

function notice(store: Store, run: RunRow): void {
  const of = run.deployment ? ` of ${run.deployment}` : "";
  recordNotice(
    store,
    "crashed",
    run.id,
    `run ${run.id.slice(0, 8)}${of} crashed: ${run.state_message || "orch stopped while it ran"}`,
  );
}

/**
 * Stop what a run whose worker is gone left running on this host (`local`), and say what was
 * found, for its CRASHED message: its processes found by the run's mark (`attempt`, or any), so
 * a process whose pid was never recorded is found too, and its recorded pid's group while that
 * pid is still the same process (a pid now used by another process is left alone).
 */
export async function stopLeftover(
  run: RunRow,
  options: { local: boolean; graceMs: number; attempt?: number },
): Promise<string> {
  const where = run.pid === null ? "" : ` (pid ${run.pid})`;
  if (!options.local) {
    if (run.pid === null) return ", before its process started";
    return `${where}; its process was on another host and could not be checked`;
  }
  const same = run.pid !== null && isSameProcess(run.pid, run.pid_started);
  // The leader gone but its group not: a group id is never reused while it has members, so
  // what is left there is still this run's.
  const group = run.pid !== null && !same && !isPidTaken(run.pid) && groupAlive(run.pid);
  const leader = same || group ? run.pid : null;
  const mark = {
    runId: run.id,
    ...(options.attempt !== undefined ? { attempt: options.attempt } : {}),
  };
  const stopped = await stopRunProcesses(mark, leader, options.graceMs);
  if (run.pid === null) {
    // A start is recorded a moment after the spawn (write-batcher.ts): a process may have run
    // and ended unrecorded, so "never started" would not be true.
    return stopped
      ? ", before its pid was recorded; its process was stopped"
      : ", before its start was recorded; no process of it is left";
  }
  if (same) return `${where}; its process was stopped`;
  if (stopped) return `${where}; its process had already exited; what it left running was stopped`;
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
