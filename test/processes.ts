import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";

/**
 * How a test names the processes it starts, and finds only those.
 *
 * Several suites run at once on one machine, so a test may never look for (or kill) processes by
 * a shared name such as `sleep 30`: another test, or another developer's shell, has the same one.
 * Instead each test puts a fresh marker into the environment of what it starts (a deployment's
 * `env:`, or the env of a spawned process). Children inherit their parent's environment, so
 * every descendant of a marked flow carries the marker too, however it detaches, and
 * `/proc/PID/environ` shows it whatever the process calls itself.
 */

/** The environment variable that carries a test's marker. */
export const MARKER_VAR = "ORCH_TEST_MARKER";

/** A unique name for one test's processes. */
export interface Marker {
  /** The marker's value: unique on this machine. */
  value: string;
  /** `{ ORCH_TEST_MARKER: value }`: merge into the env of what the test starts. */
  env: Record<string, string>;
  /** `env: { ORCH_TEST_MARKER: "value" }`: the line to put in a deployment's YAML (flow map). */
  yaml: string;
  /** The pids of live processes that carry this marker (never a zombie: it has exited). */
  pids(): number[];
  /** The marked pids once there is at least one (a spawn is seen in /proc a moment later). */
  appeared(timeoutMs?: number): Promise<number[]>;
  /** SIGKILL every live process that carries this marker (only those: the test started them). */
  kill(): void;
}

/** Create a marker; `label` only makes it readable in a process listing. */
export function createMarker(label = "test"): Marker {
  const value = `${label}-${randomUUID()}`;
  const pids = () => findMarked(value);
  return {
    value,
    env: { [MARKER_VAR]: value },
    yaml: `env: { ${MARKER_VAR}: "${value}" }`,
    pids,
    async appeared(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = pids();
        if (found.length > 0) return found;
        if (Date.now() > deadline) throw new Error(`no process marked ${value} appeared`);
        await Bun.sleep(20);
      }
    },
    kill() {
      for (const pid of pids()) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // It exited between the scan and the kill: nothing left to stop.
        }
      }
    },
  };
}

/** Pids whose initial environment holds `MARKER_VAR=value` exactly. */
function findMarked(value: string): number[] {
  const wanted = `${MARKER_VAR}=${value}`;
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let environ: string;
    let stat: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, "latin1");
      stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    } catch {
      // Gone already, or another user's process: not ours either way.
      continue;
    }
    // The state follows the command name in parentheses; Z is a zombie, X is dead.
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z" || state === "X") continue;
    if (environ.split("\0").includes(wanted)) found.push(pid);
  }
  return found;
}
