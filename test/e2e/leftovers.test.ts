import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { orch, spawnOrch, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

// No run may leave a process behind, however it detaches: tried on the compiled orch.
const daemon = createMarker("daemon");
const scrubbed = createMarker("scrubbed");
const flowRun = createMarker("flow-run");
const lostFlow = createMarker("lost-flow");

/** Starts a daemon in a session of its own, and waits until it is there (it wrote its pid). */
const DAEMON = (env: string, sleep: number) =>
  `${env} setsid sh -c 'echo $$ > daemon.pid; exec sleep ${sleep}' & while [ ! -s daemon.pid ]; do sleep 0.01; done; echo started`;

const FLOWS = `deployments:
  - name: daemon
    command: ["sh", "-c", "${DAEMON("", 321)}; sleep 322"]
    ${daemon.yaml}
  - name: scrubbed
    command: ["sh", "-c", "${DAEMON(`env -i PATH=/usr/bin:/bin ORCH_TEST_MARKER=${scrubbed.value}`, 323)}"]
`;

const SLOW_FLOW = `import { flow } from "orch";
export default flow("slow", async () => {
  console.log("started");
  await new Promise((resolve) => setTimeout(resolve, 60_000));
});
`;

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch>;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/all.yaml"), FLOWS);
  await Bun.write(join(dir, "flows/slow.ts"), SLOW_FLOW);
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  await up.waitFor("orch is up at");
});

afterAll(async () => {
  up.proc.kill("SIGTERM");
  await up.proc.exited;
  for (const marker of [daemon, scrubbed, flowRun, lostFlow]) marker.kill();
  cleanup();
});

const run = (...args: string[]) => orch([...args, "--dir", dir]);

async function until(what: string, condition: () => boolean | Promise<boolean>, ms = 15_000) {
  const deadline = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

async function state(id: string): Promise<string> {
  return JSON.parse((await run("runs", "inspect", id, "--json")).stdout).state;
}

/** The children of process `pid` that have ended but were never reaped. */
function zombieChildren(pid: number): number[] {
  const zombies: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, "latin1");
    for (const child of children.split(" ").filter(Boolean)) {
      const stat = readFileSync(`/proc/${child}/stat`, "latin1");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) zombies.push(Number(child));
    }
  }
  return zombies;
}

test("cancel stops a daemon that left the run's process group (setsid)", async () => {
  const triggered = JSON.parse((await run("run", "daemon", "--json")).stdout);
  // The shell, the daemon and the shell's last sleep.
  await until("the daemon to start", () => daemon.pids().length >= 3);
  expect((await run("runs", "cancel", triggered.id)).code).toBe(0);
  await until("the run to be CANCELLED", async () => (await state(triggered.id)) === "CANCELLED");
  expect(daemon.pids()).toEqual([]);
});

test("a daemon that cleared its environment and left its run is still stopped, and reaped", async () => {
  const r = await run("run", "scrubbed", "--watch");
  expect(r.code).toBe(0);
  // Nothing ties the daemon to its run but its ancestry: orch up is its subreaper.
  expect(scrubbed.pids()).toEqual([]);
  expect(zombieChildren(up.proc.pid)).toEqual([]);
});

// Within the default worker timeout (30 s): the flow ends with its runner, not when the server
// gives the run up.
test("kill -9 of orch flow run ends its flow process too", async () => {
  const flow = spawnOrch(["flow", "run", "flows/slow.ts", "--dir", dir], {
    cwd: dir,
    env: flowRun.env,
  });
  await until("the flow to start", () => flowRun.pids().length >= 2);
  flow.proc.kill("SIGKILL");
  await flow.proc.exited;
  await until("the flow process to end", () => flowRun.pids().length === 0);
});

test("a worker killed here: once its run is crashed, what the run left running is stopped", async () => {
  const t = tempDir();
  await Bun.write(
    join(t.dir, "flows/spawns.ts"),
    `import { flow } from "orch";
export default flow("spawns", async () => {
  Bun.spawn(["sleep", "331"]);
  await Bun.write(${JSON.stringify(join(t.dir, "started"))}, "");
  await new Promise((resolve) => setTimeout(resolve, 60_000));
});
`,
  );
  const server = spawnOrch(["up", "--headless", "--port", "0", "--dir", t.dir], {
    env: { ORCH_WORKER_TIMEOUT: "1s" },
  });
  try {
    await server.waitFor("orch is up at");
    const flow = spawnOrch(["flow", "run", "flows/spawns.ts", "--dir", t.dir], {
      cwd: t.dir,
      env: lostFlow.env,
    });
    // The flow's lines go to stdout: it says it started with a file.
    await until("the flow to start its child", async () => existsSync(join(t.dir, "started")));
    const short = /run (\w{8}) of/.exec(flow.stderr)![1]!;
    flow.proc.kill("SIGKILL");
    await flow.proc.exited;
    // The flow's own child outlives the flow; the server finds it by the run's mark.
    await until("the run to be CRASHED", async () => {
      const r = await orch(["runs", "inspect", short, "--json", "--dir", t.dir]);
      return JSON.parse(r.stdout).state === "CRASHED";
    });
    await until("the flow's child to end", () => lostFlow.pids().length === 0);
  } finally {
    server.proc.kill("SIGTERM");
    await server.proc.exited;
    t.cleanup();
  }
});

test("kill -9 of orch up just after it starts runs: the next start stops every one of them", async () => {
  const t = tempDir();
  const burst = createMarker("burst");
  await Bun.write(
    join(t.dir, "flows/burst.yaml"),
    `deployments:\n  - name: burst\n    command: ["sleep", "341"]\n    ${burst.yaml}\n`,
  );
  const start = async () => {
    const server = spawnOrch(["up", "--headless", "--port", "0", "--grace", "0s", "--dir", t.dir]);
    await server.waitFor("orch is up at");
    return server;
  };
  try {
    // Killed 0 to 60 ms after 8 runs are triggered: some trials land between a spawn and the
    // RUNNING that records its pid, the window this is about. Each start recovers the last.
    for (const delay of [0, 20, 40, 60]) {
      const server = await start();
      const { url } = JSON.parse(readFileSync(join(t.dir, ".orch/server.json"), "utf8"));
      const token = readFileSync(join(t.dir, ".orch/token"), "utf8").trim();
      const client = createClient({ url, token });
      await Promise.all(Array.from({ length: 8 }, () => client.triggerRun("burst")));
      await Bun.sleep(delay);
      server.proc.kill("SIGKILL");
      await server.proc.exited;
    }
    // The last start recovers too; stopped, it stops the runs it started itself.
    const last = await start();
    last.proc.kill("SIGTERM");
    await last.proc.exited;
    await until("every run's process to end", () => burst.pids().length === 0);
  } finally {
    burst.kill();
    t.cleanup();
  }
}, 120_000);
