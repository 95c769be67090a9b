import { isTerminal } from "../../core/index.ts";
import { getRun, getWorker, getWorkPool, type RunRow, type Store } from "../../store/index.ts";
import { isAlive } from "../process-tree.ts";
import type { DockerEngine } from "./engine.ts";
import {
  API_LABEL,
  HOST_LABEL,
  RUN_LABEL,
  WORKER_LABEL,
  WORKER_PID_LABEL,
} from "./run-container.ts";

/**
 * For recoverRuns: the container of a run its worker left behind. A run of a docker pool is
 * handled here (its container stopped and removed, or found gone), and the tail of its CRASHED
 * message returned; any other run gives null (its processes are looked for instead).
 */
export function createContainerRecovery(
  store: Store,
  engine: () => DockerEngine,
): (run: RunRow) => Promise<string | null> {
  return async (run) => {
    if (getWorkPool(store, run.work_pool)?.type !== "docker") return null;
    if (run.state_type === "PENDING" && run.pid === null) return ", before its container started";
    let found: { Id: string }[];
    try {
      found = await engine().listContainers([`${RUN_LABEL}=${run.id}`]);
    } catch (error) {
      return `; its container could not be checked: ${(error as Error).message}`;
    }
    if (!found.length) {
      return "; its container had vanished (removed outside orch, or the Docker daemon restarted)";
    }
    await Promise.all(found.map((c) => engine().removeContainer(c.Id)));
    return `; its container ${found[0]!.Id.slice(0, 12)} was stopped and removed`;
  };
}

/**
 * Remove containers whose run has ended in this store (a worker killed between the end and the
 * removal), and those started on this host by one of our own workers whose process is gone while
 * the store does not know their run (a remote worker's, killed with -9). Ours: a worker this
 * store registered, or, for a remote worker (no store), one that reported to the same API.
 * Containers of runs this store thinks active are recoverRuns' to judge; other projects'
 * containers are left alone, even when their orch was killed: that orch recovers them when it
 * starts again. Resolves with how many were removed.
 */
export async function removeStrayContainers(
  engine: DockerEngine,
  options: { store?: Store; host: string; apiUrl?: string },
): Promise<number> {
  const containers = await engine.listContainers([RUN_LABEL]);
  let removed = 0;
  for (const c of containers) {
    const runId = c.Labels[RUN_LABEL] ?? "";
    const run = options.store ? getRun(options.store, runId) : null;
    const workerPid = Number(c.Labels[WORKER_PID_LABEL]);
    const strayHere =
      c.Labels[HOST_LABEL] === options.host &&
      Number.isInteger(workerPid) &&
      workerPid > 1 &&
      workerPid !== process.pid &&
      !isAlive(workerPid);
    const ours = options.store
      ? getWorker(options.store, c.Labels[WORKER_LABEL] ?? "") !== null
      : options.apiUrl !== undefined && c.Labels[API_LABEL] === options.apiUrl;
    const ended = run !== null && isTerminal(run.state_type);
    if (ended || (!run && strayHere && ours)) {
      await engine.removeContainer(c.Id);
      removed++;
    }
  }
  return removed;
}
