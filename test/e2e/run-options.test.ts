import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { RunDetail, RunJson } from "../../src/client/index.ts";
import { orch, projectServer, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

const slow = createMarker("run-options-slow");
const FLOWS = `deployments:
  - name: hello
    command: ["sh", "-c", "echo hello"]
  - name: shaped
    command: ["sh", "-c", "echo foo=$FOO base=$BASE; sleep 30"]
    env: { BASE: from-definition, ${Object.entries(slow.env)
      .map(([k, v]) => `${k}: "${v}"`)
      .join(", ")} }
    tags: [nightly]
  - name: etl
    command: ["sh", "-c", "echo day {{ parameters.day }}"]
    parameters: { day: monday }
    run_name: "etl-{{ parameters.day }}"
  - name: needs
    command: ["echo", "to {{ parameters.target }}"]
    parameter_schema: { type: object, properties: { target: { type: string } } }
  - name: elsewhere
    command: ["echo", "elsewhere"]
    work_pool: nobody-serves
`;

let dir: string;
let cleanup: () => void;
const server = projectServer(() => dir);
const startUp = server.start;
const stopUp = server.stop;

const run = (...args: string[]) => orch([...args, "--dir", dir]);

async function inspect(id: string): Promise<RunDetail> {
  return JSON.parse((await run("runs", "inspect", id, "--json")).stdout) as RunDetail;
}

/** Poll the run (through whatever answers: the server or the store) until it ended. */
async function ended(id: string, ms = 20_000): Promise<RunDetail> {
  const deadline = performance.now() + ms;
  for (;;) {
    const r = await inspect(id);
    if (["COMPLETED", "FAILED", "CRASHED", "CANCELLED"].includes(r.state)) return r;
    if (performance.now() > deadline) throw new Error(`run ${id} did not end: ${r.state}`);
    await Bun.sleep(100);
  }
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/all.yaml"), FLOWS);
  await startUp();
});

afterAll(async () => {
  await stopUp();
  slow.kill();
  cleanup();
});

test('orch run helo says did you mean "hello"?', async () => {
  const r = await run("run", "helo");
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('did you mean "hello"?');
});

test("a run's own timeout, env, tags and name go over the deployment's", async () => {
  const r = await run(
    "run",
    "shaped",
    "--env",
    "FOO=per-run",
    "--env",
    "BASE=overridden",
    "--tag",
    "adhoc",
    "--tag",
    "urgent",
    "--name",
    "my-shaped-run",
    "--timeout",
    "1s",
    "--watch",
    "--json",
  );
  const end = JSON.parse(r.stdout) as RunJson;
  expect(end.state_name).toBe("TimedOut");
  expect(end.name).toBe("my-shaped-run");
  expect(end.tags.sort()).toEqual(["adhoc", "nightly", "urgent"]);
  expect((await run("runs", "logs", end.id)).stdout).toContain("foo=per-run base=overridden");
  const ls = await run("runs", "ls", "--tag", "urgent");
  expect(ls.stdout).toMatch(/NAME[\s\S]*my-shaped-run/);
  expect((await run("runs", "inspect", end.id)).stdout).toMatch(/name\s+my-shaped-run/);
});

test("a run_name template names each run from its parameters", async () => {
  const r = await run("run", "etl", "-p", "day=friday", "--watch", "--json");
  const end = JSON.parse(r.stdout) as RunJson;
  expect(end.name).toBe("etl-friday");
  expect((await run("runs", "ls", "--deployment", "etl")).stdout).toContain("etl-friday");
});

test("bad run options are refused with what to write instead", async () => {
  const both = await run("run", "hello", "--at", "2099-01-01T00:00", "--in", "2h");
  expect(both.code).toBe(2);
  expect(both.stderr).toContain("--at or --in, not both");
  const past = await run("run", "hello", "--at", "2001-01-01T09:00", "--tz", "UTC");
  expect(past.code).toBe(2);
  expect(past.stderr).toContain("is in the past");
  const zone = await run("run", "hello", "--at", "2099-01-01T09:00", "--tz", "Mars/Olympus");
  expect(zone.code).toBe(2);
  expect(zone.stderr).toContain(
    '--tz Mars/Olympus is not a time zone (like "Europe/Berlin" or "UTC")',
  );
  const near = await run("run", "hello", "--at", "2099-01-01T09:00", "--tz", "europe/berlim");
  expect(near.stderr).toContain(
    '--tz europe/berlim is not a time zone (did you mean "Europe/Berlin"?)',
  );
  const timeout = await run("run", "hello", "--timeout", "soon");
  expect(timeout.stderr).toContain("--timeout must be a duration");
});

test("a trigger that leaves a placeholder without a value is refused (exit 2), naming it; nothing is made", async () => {
  const before = JSON.parse((await run("runs", "ls", "--deployment", "needs", "--json")).stdout);
  const r = await run("run", "needs");
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(
    "a run of needs needs parameter target (its definition uses it): pass -p target=VALUE or give it a default in the definition",
  );
  expect(r.stderr).toContain(
    "parameters.target: command argument 1 uses {{ parameters.target }}, with no value",
  );
  expect(JSON.parse((await run("runs", "ls", "--deployment", "needs", "--json")).stdout)).toEqual(
    before,
  );
  const given = await run("run", "needs", "-p", "target=moon", "--watch");
  expect(given.code).toBe(0);
  expect(given.stdout).toContain("to moon");
});

test("a run triggered in a pool no worker serves says it will wait, and how to start one", async () => {
  const r = await run("run", "elsewhere");
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(
    /no worker is online for pool nobody-serves: run [0-9a-f]{8} waits until one starts \(orch worker --pool nobody-serves here/,
  );
  // A run the server's own worker takes hears nothing of the kind.
  const served = await run("run", "hello");
  expect(served.code).toBe(0);
  expect(served.stderr).not.toContain("no worker");
});

test("--at TIME --tz ZONE schedules the run at that wall time of that zone", async () => {
  const wall = Temporal.Now.zonedDateTimeISO("Asia/Tokyo").add({ hours: 3 }).round("minute");
  const text = wall.toPlainDateTime().toString({ smallestUnit: "minute" });
  const r = await run("run", "hello", "--at", text, "--tz", "Asia/Tokyo", "--json");
  expect(r.code).toBe(0);
  const scheduled = JSON.parse(r.stdout) as RunJson;
  expect(scheduled.state).toBe("SCHEDULED");
  expect(scheduled.scheduled_at).toBe(wall.toInstant().toString({ smallestUnit: "millisecond" }));
  await run("runs", "cancel", scheduled.id);
  // A zone in the wrong case is the same zone, said back under its canonical name.
  const human = await run("run", "hello", "--at", text, "--tz", "asia/tokyo");
  expect(human.code).toBe(0);
  expect(human.stderr).toContain(`(${text.replace("T", " ")} Asia/Tokyo)`);
  await run("runs", "cancel", /scheduled (\S+) of hello/.exec(human.stderr)![1]!);
});

test("--in starts the run at its time, even when orch restarts in between", async () => {
  const r = await run("run", "hello", "--in", "5s", "--json");
  const scheduled = JSON.parse(r.stdout) as RunJson;
  expect(scheduled.state).toBe("SCHEDULED");
  await stopUp();
  // With no server, the store says it is still waiting.
  expect((await inspect(scheduled.id)).state).toBe("SCHEDULED");
  await startUp();
  const end = await ended(scheduled.id);
  expect(end.state).toBe("COMPLETED");
  expect(Date.parse(end.started_at!)).toBeGreaterThanOrEqual(Date.parse(scheduled.scheduled_at!));
});
