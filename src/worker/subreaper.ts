import { readFileSync } from "node:fs";
import { reapChild, setChildSubreaper } from "./libc.ts";
import { groupAlive, signalGroup, statFields } from "./process-tree.ts";
import { carriesMark, findMarkedProcesses, type RunMark } from "./run-processes.ts";

/**
 * How a worker process keeps every descendant of its runs within reach. As a child subreaper
 * (Linux), a process that leaves its parent (a daemon that forks and exits, with setsid or not)
 * is re-parented to us rather than to init, so all that a run leaves behind is, once its main
 * process has ended, a direct child of ours: a "stray". Finding them costs one read of our
 * children list, not a pass over /proc, which keeps a run's end cheap.
 *
 * A process becomes a subreaper only where it starts children through spawnRun alone (orch up,
 * orch worker, orch flow run): there every child that spawnRun did not start, and that is not in
 * our own session (every run starts a session of its own, which its descendants cannot leave
 * for ours), is a stray, to stop and to reap (Bun collects only the children it started).
 * Elsewhere (orch used as a library, tests) a run's leftovers are found by their mark in one
 * pass over /proc instead.
 */

/** The main process of each live run started here, by pid. */
const mains = new Map<number, Required<RunMark>>();
let subreaper = false;
/** Our session: a child in it was started here by other means than spawnRun, never a stray. */
let ownSession = "";
let reapTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * Make this process the subreaper of all it starts (see above); call it once, early, from a
 * command whose every child comes from spawnRun. False where that is unavailable (not Linux).
 */
export function becomeSubreaper(): boolean {
  if (subreaper) return true;
  if (!setChildSubreaper()) return false;
  subreaper = true;
  ownSession = statFields(process.pid)?.[3] ?? "";
  // An orphan that ends is a zombie of ours until reaped: reap soon after (grouped, not per signal).
  process.on("SIGCHLD", () => {
    reapTimer ??= setTimeout(() => {
      reapTimer = null;
      for (const stray of listStrays()) if (stray.zombie) reapChild(stray.pid);
    }, 100);
    reapTimer.unref();
  });
  return true;
}

/** Note a run's main process (spawnRun does, right after spawning it). */
export function trackRun(pid: number, mark: Required<RunMark>): void {
  mains.set(pid, mark);
}

/** Forget a run's main process once Bun has collected it. */
export function untrackRun(pid: number): void {
  mains.delete(pid);
}

interface Stray {
  pid: number;
  pgid: number;
  zombie: boolean;
}

/**
 * Our direct children that are no live run's main process nor in our session: orphans.
 *
 * Only the main thread's children list is read: runs are spawned from it (the JavaScript
 * thread), and the kernel hands an orphan to the subreaper's first live thread, which is the
 * main one. Reading every thread's list cost a directory read and a file read per thread at
 * every run's end.
 */
function listStrays(): Stray[] {
  const strays: Stray[] = [];
  let children: string;
  try {
    children = readFileSync(`/proc/self/task/${process.pid}/children`, "latin1");
  } catch {
    return strays;
  }
  for (const word of children.split(" ")) {
    const pid = Number(word);
    if (!word || mains.has(pid)) continue;
    const fields = statFields(pid);
    if (fields && fields[3] !== ownSession) {
      strays.push({ pid, pgid: Number(fields[2]), zombie: fields[0] === "Z" });
    }
  }
  return strays;
}

/** Whether a stray still belongs to a live run here (in its group, or carrying its mark). */
function ownedByLiveRun(stray: Stray): boolean {
  if (mains.has(stray.pgid)) return true;
  for (const mark of mains.values()) if (carriesMark(stray.pid, mark)) return true;
  return false;
}

/** Longest a run's end waits for what it left to go (SIGKILL takes effect within moments). */
const SWEEP_MS = 2000;

/**
 * A run's main process `leader` has ended (and was collected): kill, with SIGKILL, everything
 * the run left behind, in its process group or not. As a subreaper: the group, then each stray
 * that no live run owns (this run's, and any whose owner cannot be told, such as a daemon that
 * cleared its environment), reaping them as they end, until none is left. Otherwise: each
 * process found by the run's mark (a daemon that also cleared its environment is not found:
 * that takes a subreaper), until none is left. Resolves once done, or after SWEEP_MS.
 */
export async function sweepRun(mark: RunMark, leader: number): Promise<void> {
  const deadline = performance.now() + SWEEP_MS;
  while (performance.now() < deadline) {
    // A zombie of the group whose parent does not reap it (a container's init may not) would
    // keep the group "there" for ever: only live members count.
    let acted = signalGroup(leader, "SIGKILL") && groupAlive(leader);
    if (subreaper) {
      for (const stray of listStrays()) {
        if (stray.zombie) acted = reapChild(stray.pid) || acted;
        else if (!ownedByLiveRun(stray)) acted = kill(stray.pid) || acted;
      }
    } else if (process.platform === "linux") {
      for (const pid of findMarkedProcesses(mark)) acted = kill(pid) || acted;
    }
    if (!acted) return;
    await Bun.sleep(5);
  }
}

function kill(pid: number): boolean {
  try {
    process.kill(pid, "SIGKILL");
    return true;
  } catch {
    return false;
  }
}
