import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

const sleepy = createMarker("sleepy");
const FLOWS = `deployments:
  - name: greet
    command: ["sh", "-c", "echo hello, {{ parameters.name }}; echo to-stderr >&2"]
    parameters: { name: world }
    parameter_schema:
      type: object
      properties: { name: { type: string }, times: { type: integer, minimum: 1 } }
  - name: fail
    command: ["sh", "-c", "echo failing; exit 3"]
  - name: sleepy
    command: ["sh", "-c", "trap '' TERM; echo started; sleep 30 & wait; sleep 30"]
    ${sleepy.yaml}
  - name: ts
    flow: ./hello.ts
    parameters: { n: 2 }
  - name: tasks
    flow: ./tasks.ts
`;

const TASKS_FLOW = `import { flow, task } from "orch";
let tries = 0;
const extract = task("extract", async () => [1, 2, 3]);
const flaky = task({ name: "flaky", retries: 2 }, async () => {
  if (++tries < 2) throw new Error("not yet");
  return tries;
});
export default flow("tasks", async () => {
  const rows = await extract();
  return rows.length + (await flaky());
});
`;

const TS_FLOW = `import { flow } from "orch";
export default flow("hello", async ({ n }: { n: number }) => {
  console.log("ts says", n * 21);
  return n;
});
`;

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch>;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/all.yaml"), FLOWS);
  await Bun.write(join(dir, "flows/hello.ts"), TS_FLOW);
  await Bun.write(join(dir, "flows/tasks.ts"), TASKS_FLOW);
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  await up.waitFor("orch is up at");
});

afterAll(async () => {
  up.proc.kill("SIGTERM");
  await up.proc.exited;
  sleepy.kill();
  cleanup();
});

const run = (...args: string[]) => orch([...args, "--dir", dir]);

describe("orch run", () => {
  test("--watch streams the logs and exits 0 when the run COMPLETED", async () => {
    const r = await run("run", "greet", "-p", "name=orch", "--watch");
    expect(r.code).toBe(0);
    // Every line of the run on stdout (a plain stderr line is info, shown as written); orch's on stderr.
    expect(r.stdout.split("\n").sort()).toEqual(["", "hello, orch", "to-stderr"]);
    expect(r.stderr).toMatch(/COMPLETED/);
  });

  test("--watch --json prints the run as it ended, and exits 1 when it failed", async () => {
    const r = await run("run", "fail", "--watch", "--json");
    expect(r.code).toBe(1);
    const final = JSON.parse(r.stdout);
    expect(final).toMatchObject({
      deployment: "fail",
      state: "FAILED",
      state_name: "Failed",
      exit_code: 3,
      attempt: 1,
    });
    expect(r.stderr).toMatch(/failing/);
  });

  test("a TypeScript flow runs through the executable with the SDK as 'orch'", async () => {
    const r = await run("run", "ts", "-p", "n=3", "--watch");
    expect(r.stdout).toBe("ts says 63\n");
    expect(r.code).toBe(0);
  });

  test("a TypeScript flow's tasks are recorded with their state and attempts", async () => {
    const done = JSON.parse((await run("run", "tasks", "--watch", "--json")).stdout);
    expect(done.state).toBe("COMPLETED");
    const detail = JSON.parse((await run("runs", "inspect", done.id, "--json")).stdout);
    expect(detail.tasks).toEqual([
      {
        name: "extract",
        state: "COMPLETED",
        state_name: "Completed",
        attempts: 1,
        started_at: expect.any(String),
        ended_at: expect.any(String),
        cached: false,
        run_attempt: 1,
      },
      {
        name: "flaky",
        state: "COMPLETED",
        state_name: "Completed",
        attempts: 2,
        started_at: expect.any(String),
        ended_at: expect.any(String),
        cached: false,
        run_attempt: 1,
      },
    ]);
  });

  test("parameters are typed by the schema; bad ones exit 2 and create nothing", async () => {
    const before = JSON.parse((await run("runs", "ls", "--json", "--limit", "100")).stdout).length;
    const bad = await run("run", "greet", "-p", "times=many");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/parameters\.times/);
    const below = await run("run", "greet", "-p", "times=0");
    expect(below.code).toBe(2);
    expect(below.stderr).toMatch(/parameters\.times: must be >= 1/);
    const after = JSON.parse((await run("runs", "ls", "--json", "--limit", "100")).stdout).length;
    expect(after).toBe(before);
    const missing = await run("run", "nope");
    expect(missing.code).toBe(2);
  });
});

describe("orch runs", () => {
  test("ls, inspect (with the state history) and logs, by short id", async () => {
    const started = JSON.parse((await run("run", "greet", "--watch", "--json")).stdout);
    const ls = JSON.parse(
      (await run("runs", "ls", "--json", "--deployment", "greet", "--limit", "1")).stdout,
    );
    expect(ls).toHaveLength(1);
    expect(ls[0]).toMatchObject({
      id: started.id,
      deployment: "greet",
      state: "COMPLETED",
      state_name: "Completed",
      parameters: { name: "world" },
      attempt: 1,
      exit_code: 0,
      version: 1,
      parent_id: null,
    });
    for (const key of ["scheduled_at", "started_at", "ended_at", "worker"])
      expect(ls[0][key]).toBeTruthy();

    const short = started.id.slice(0, 8);
    const inspect = JSON.parse((await run("runs", "inspect", short, "--json")).stdout);
    expect(inspect.states.map((s: { type: string }) => s.type)).toEqual([
      "SCHEDULED",
      "PENDING",
      "RUNNING",
      "COMPLETED",
    ]);
    expect(inspect.tasks).toEqual([]);

    const logs = await run("runs", "logs", short);
    expect(logs.stdout.split("\n").sort()).toEqual(["", "hello, world", "to-stderr"]);
    expect(logs.stderr).toBe("");

    const human = await run("runs", "ls");
    expect(human.stdout).toMatch(/^ID\s+DEPLOYMENT\s+STATE/m);
    expect(human.stdout).toContain(short);
  });

  test("prune counts (dry) and refuses a bad duration, or one too short", async () => {
    const dry = await run("runs", "prune", "--older-than", "3650d", "--dry-run", "--json");
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual({ runs: 0, log_lines: 0, events: 0 });
    const bad = await run("runs", "prune", "--older-than", "soon");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--older-than must be a duration such as 30d or 12h, not "soon"');
    // A duration, but less than the least a prune takes: said as that.
    const zero = await run("runs", "prune", "--older-than", "0s");
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--older-than must be at least 1m, not "0s"');
  });

  test("cancel stops a process tree that ignores SIGTERM; retry runs it again", async () => {
    const triggered = JSON.parse((await run("run", "sleepy", "--json")).stdout);
    const follow = spawnOrch(["runs", "logs", triggered.id, "-f", "--dir", dir]);
    // wait until it is running and has printed
    for (let i = 0; i < 100; i++) {
      const r = JSON.parse((await run("runs", "inspect", triggered.id, "--json")).stdout);
      if (r.state === "RUNNING") break;
      await Bun.sleep(50);
    }
    const cancel = await run("runs", "cancel", triggered.id);
    expect(cancel.code).toBe(0);
    expect(await follow.proc.exited).toBe(1);
    const final = JSON.parse((await run("runs", "inspect", triggered.id, "--json")).stdout);
    expect(final.state).toBe("CANCELLED");
    expect(final.states.map((s: { type: string }) => s.type)).toContain("CANCELLING");
    expect(sleepy.pids()).toEqual([]);

    const retried = JSON.parse((await run("runs", "retry", triggered.id, "--json")).stdout);
    expect(retried.state).toBe("SCHEDULED");
    const again = await run("runs", "cancel", triggered.id);
    expect(again.code).toBe(0);
  });
});

test("a retry runs the deployment's active version (the fix) and says so; --own-version runs the run's own", async () => {
  const t = tempDir();
  const file = join(t.dir, "flows/a.yaml");
  const define = (command: string) =>
    Bun.write(file, `deployments:\n  - name: fixme\n    command: ["sh", "-c", "${command}"]\n`);
  await define("exit 3");
  const up = spawnOrch(["up", "--headless", "--port", "0", "--dir", t.dir]);
  try {
    await up.waitFor("orch is up at");
    const cli = (...args: string[]) => orch([...args, "--dir", t.dir]);
    const { id } = JSON.parse((await cli("run", "fixme", "--json")).stdout);
    const state = async () => JSON.parse((await cli("runs", "inspect", id, "--json")).stdout);
    const waitFor = async (attempt: number) => {
      for (let i = 0; i < 400; i++) {
        const now = await state();
        if (now.attempt === attempt && ["FAILED", "COMPLETED"].includes(now.state)) return now;
        await Bun.sleep(50);
      }
      throw new Error(`run ${id} did not end attempt ${attempt}`);
    };
    expect((await waitFor(1)).state).toBe("FAILED");
    await define("exit 0");
    await up.waitFor("redeployed fixme", 15_000);
    // The old code on request: it fails as it did.
    const own = await cli("runs", "retry", id, "--own-version");
    expect(own.code).toBe(0);
    expect(own.stderr).toContain("retried by user on v1, its own version (fixme is at v2)");
    const second = await waitFor(2);
    expect([second.state, second.version]).toEqual(["FAILED", 1]);
    // By default the fixed code runs.
    const retried = await cli("runs", "retry", id);
    expect(retried.code).toBe(0);
    expect(retried.stderr).toContain(
      "retried by user on v2, fixme's active version (the run ran v1)",
    );
    const third = await waitFor(3);
    expect([third.state, third.version]).toEqual(["COMPLETED", 2]);
  } finally {
    up.proc.kill("SIGTERM");
    await up.proc.exited;
    t.cleanup();
  }
});

test("kill -9 of the server mid-run: the restart marks the run CRASHED and leaves no process", async () => {
  const t = tempDir();
  const long = createMarker("long");
  try {
    await Bun.write(
      join(t.dir, "flows/a.yaml"),
      `deployments:\n  - name: long\n    command: ["sh", "-c", "echo up; sleep 41"]\n    ${long.yaml}\n`,
    );
    const first = spawnOrch(["up", "--headless", "--port", "0", "--dir", t.dir]);
    await first.waitFor("orch is up at");
    const r = JSON.parse((await orch(["run", "long", "--json", "--dir", t.dir])).stdout);
    for (let i = 0; i < 100; i++) {
      const now = JSON.parse(
        (await orch(["runs", "inspect", r.id, "--json", "--dir", t.dir])).stdout,
      );
      if (now.state === "RUNNING") break;
      await Bun.sleep(50);
    }
    first.proc.kill("SIGKILL");
    await first.proc.exited;
    expect(long.pids()).not.toEqual([]);

    const second = spawnOrch(["up", "--headless", "--port", "0", "--dir", t.dir]);
    await second.waitFor("orch is up at");
    const after = JSON.parse(
      (await orch(["runs", "inspect", r.id, "--json", "--dir", t.dir])).stdout,
    );
    expect(after.state).toBe("CRASHED");
    expect(after.state_message).toMatch(/RUNNING/);
    expect(long.pids()).toEqual([]);
    second.proc.kill("SIGTERM");
    await second.proc.exited;
  } finally {
    long.kill();
    t.cleanup();
  }
});
