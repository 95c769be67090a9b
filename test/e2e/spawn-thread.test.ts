import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { spawnsOnThread } from "../../src/worker/embedded-worker.ts";
import { orch, spawnOrch, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

// While other runs run, the compiled orch starts a run's process on a thread of its own, not on
// the server's thread (where each spawn holds every request and commit of the server until the
// child started), on a machine with more than two cores (spawnsOnThread); a run alone starts on
// the server's thread, which has nothing else to do.
const sleeper = createMarker("spawn-thread");
const alone = createMarker("spawn-alone");

const FLOWS = `deployments:
  - name: sleeper
    command: ["sh", "-c", "echo started; echo to-stderr >&2; exec sleep 317"]
    ${sleeper.yaml}
  - name: alone
    command: ["sleep", "318"]
    ${alone.yaml}
  - name: missing
    command: ["no-such-command-for-orch-spawn-thread"]
`;

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch>;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/all.yaml"), FLOWS);
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  await up.waitFor("orch is up at");
});

afterAll(async () => {
  up.proc.kill("SIGTERM");
  await up.proc.exited;
  sleeper.kill();
  alone.kill();
  cleanup();
});

const run = (...args: string[]) => orch([...args, "--dir", dir]);

/** The thread of process `pid` whose children include `child`, or null. */
function parentThread(pid: number, child: number): number | null {
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, "latin1");
    if (children.split(" ").includes(String(child))) return Number(task);
  }
  return null;
}

async function until(what: string, condition: () => Promise<boolean>, ms = 15_000) {
  const deadline = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

test("beside a running run, a run's process is started by a thread of the server other than its main one where the machine has more than two cores; its output, cancel and end are followed as before", async () => {
  const server = up.proc.pid;
  const first = JSON.parse((await run("run", "alone", "--json")).stdout);
  const [lone] = await alone.appeared();
  expect(parentThread(server, lone!)).toBe(server);

  const { id } = JSON.parse((await run("run", "sleeper", "--json")).stdout);
  const [pid] = await sleeper.appeared();
  const thread = parentThread(server, pid!);
  expect(thread).not.toBeNull();
  if (spawnsOnThread()) expect(thread).not.toBe(server);
  else expect(thread).toBe(server);
  expect((await run("runs", "cancel", first.id)).code).toBe(0);

  await until("its output", async () => {
    const logs = (await run("runs", "logs", id)).stdout + (await run("runs", "logs", id)).stderr;
    return logs.includes("started") && logs.includes("to-stderr");
  });
  const running = JSON.parse((await run("runs", "inspect", id, "--json")).stdout);
  expect(running.state).toBe("RUNNING");

  expect((await run("runs", "cancel", id)).code).toBe(0);
  await until("CANCELLED", async () => {
    const r = JSON.parse((await run("runs", "inspect", id, "--json")).stdout);
    return r.state === "CANCELLED";
  });
  await until("its process gone", async () => sleeper.pids().length === 0);
});

test("a command that does not exist fails its run with the reason", async () => {
  const { id } = JSON.parse((await run("run", "missing", "--json")).stdout);
  let inspected: { state: string; state_message: string } = { state: "", state_message: "" };
  await until("FAILED", async () => {
    inspected = JSON.parse((await run("runs", "inspect", id, "--json")).stdout);
    return inspected.state === "FAILED";
  });
  expect(inspected.state_message).toContain(
    "command not found: no-such-command-for-orch-spawn-thread",
  );
});
