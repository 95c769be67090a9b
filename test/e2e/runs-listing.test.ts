import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

// What `orch runs` shows of runs in their states, through the compiled binary and a server.
const FLOWS = `deployments:
  - name: broken
    command: ["sh", "-c", "echo broken; exit 3"]
    retries: 1
    retry_delay: 1h
  - name: slow
    command: ["sh", "-c", "sleep 30"]
    timeout: 1s
  - name: flaky
    command: ["sh", "-c", "if [ -e $MARK ]; then echo second try; else touch $MARK; echo first try; exit 1; fi"]
    env: { MARK: "__DIR__/tried" }
    retries: 1
    retry_delay: 1s
`;

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch>;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/all.yaml"), FLOWS.replace("__DIR__", dir));
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  await up.waitFor("orch is up at", 15_000);
});

afterAll(async () => {
  up.proc.kill("SIGTERM");
  await up.proc.exited;
  cleanup();
});

const run = (...args: string[]) => orch([...args, "--dir", dir]);

interface Listed {
  id: string;
  state: string;
  state_name: string;
}

async function list(...args: string[]): Promise<Listed[]> {
  const r = await run("runs", "ls", "--json", ...args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

async function trigger(name: string): Promise<string> {
  const r = await run("run", name, "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).id;
}

/** Poll the listing until the run is in `name`. */
async function untilNamed(id: string, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = (await list("--limit", "100")).find((r) => r.id === id);
    if (found?.state_name === name) return;
    if (Date.now() > deadline)
      throw new Error(`run ${id} never got ${name}: ${JSON.stringify(found)}`);
    await Bun.sleep(100);
  }
}

test("runs ls --state takes a state name as well as a type, and a bad one is exit 2 naming both kinds", async () => {
  const waiting = await trigger("broken");
  const timedOut = await trigger("slow");
  await untilNamed(waiting, "AwaitingRetry");
  await untilNamed(timedOut, "TimedOut");

  const ids = (runs: Listed[]) => runs.map((r) => r.id);
  expect(ids(await list("--state", "AwaitingRetry"))).toEqual([waiting]);
  expect(ids(await list("--state", "awaiting_retry"))).toEqual([waiting]);
  expect(ids(await list("--state", "TimedOut"))).toEqual([timedOut]);
  // A type still means all its names.
  expect(ids(await list("--state", "scheduled"))).toContain(waiting);
  expect(ids(await list("--state", "FAILED"))).toEqual([timedOut]);
  expect(await list("--state", "Late")).toEqual([]);

  const bad = await run("runs", "ls", "--state", "Lat");
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/"Lat" is neither a state type/);
  expect(bad.stderr).toMatch(/SCHEDULED, PENDING, RUNNING/);
  expect(bad.stderr).toMatch(/Late, AwaitingRetry/);
  expect(bad.stderr).toMatch(/did you mean Late\?/);
});

test("runs logs of a retried run marks where each attempt begins (--json: each line's attempt), and --timestamps begins each line with its time", async () => {
  const id = await trigger("flaky");
  await untilNamed(id, "Completed");
  const logs = await run("runs", "logs", id);
  expect(logs.code, logs.stderr).toBe(0);
  expect(logs.stdout.trimEnd().split("\n")).toEqual([
    "── attempt 1 ──",
    "first try",
    "── attempt 2 ──",
    "second try",
  ]);
  const json = await run("runs", "logs", id, "--json");
  expect(json.code, json.stderr).toBe(0);
  expect(
    (JSON.parse(json.stdout) as { line: string; attempt: number }[]).map((l) => [
      l.attempt,
      l.line,
    ]),
  ).toEqual([
    [1, "first try"],
    [2, "second try"],
  ]);
  const stamped = await run("runs", "logs", id, "--timestamps");
  expect(stamped.code, stamped.stderr).toBe(0);
  const lines = stamped.stdout.trimEnd().split("\n");
  expect(lines.filter((l) => !l.startsWith("──"))).toEqual([
    expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z first try$/),
    expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z second try$/),
  ]);
  // A run that ran once has no separator.
  const once = await trigger("broken");
  await untilNamed(once, "AwaitingRetry");
  expect((await run("runs", "logs", once)).stdout).toBe("broken\n");
});

test("runs retry --watch follows the retry to its end, with its exit code", async () => {
  rmSync(join(dir, "tried"), { force: true });
  const id = await trigger("flaky");
  await untilNamed(id, "Completed");
  const watched = await run("runs", "retry", id, "--watch");
  expect(watched.code, watched.stderr).toBe(0);
  // Only the retry's own lines: not its earlier attempts' again.
  expect(watched.stdout).toBe("second try\n");
  expect(watched.stderr).toMatch(/COMPLETED/);
  const json = await run("runs", "retry", id, "--watch", "--json");
  expect(json.code, json.stderr).toBe(0);
  expect(JSON.parse(json.stdout)).toMatchObject({ id, state: "COMPLETED", attempt: 4 });
  const failing = await trigger("slow");
  await untilNamed(failing, "TimedOut");
  const again = await run("runs", "retry", failing, "--watch", "--json");
  expect(again.code).toBe(1);
  expect(JSON.parse(again.stdout)).toMatchObject({ id: failing, state: "FAILED" });
});

test("runs inspect of a retried run tells the time it was for from the due time of its attempt", async () => {
  const waiting = await trigger("broken");
  await untilNamed(waiting, "AwaitingRetry");
  const shown = await run("runs", "inspect", waiting);
  expect(shown.code, shown.stderr).toBe(0);
  const at = (label: string) =>
    shown.stdout.match(
      new RegExp(`^${label}\\s+(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d)(.*)$`, "m"),
    );
  const forLine = at("for");
  const due = at("scheduled");
  const started = at("started");
  // Its first due time has a line of its own; the due time (an hour on) says it is attempt 2's,
  // and the start (before it) says it was attempt 1's: no line reads as a start before its due.
  expect(forLine?.[2]).toBe("");
  expect(due?.[2]).toBe(" (attempt 2)");
  expect(started?.[2]).toBe(" (attempt 1)");
  expect(`${forLine?.[1]}` <= `${started?.[1]}`).toBe(true);
  expect(`${started?.[1]}` < `${due?.[1]}`).toBe(true);
});

test("runs ls DUE shows when a run cancelled before it started was due, not when it was cancelled", async () => {
  const made = await run("run", "slow", "--in", "1h", "--json");
  expect(made.code, made.stderr).toBe(0);
  const { id, scheduled_at } = JSON.parse(made.stdout) as { id: string; scheduled_at: string };
  expect((await run("runs", "cancel", id)).code).toBe(0);
  const table = await run("runs", "ls", "--limit", "100");
  expect(table.code, table.stderr).toBe(0);
  const [header, ...rows] = table.stdout.trimEnd().split("\n");
  expect(header).toMatch(/ATTEMPT\s+DUE\s+DURATION/);
  const row = rows.find((r) => r.startsWith(id.slice(0, 8)));
  expect(row).toMatch(/CANCELLED\s+0\s+/);
  // The due time an hour on, on this machine's clock (as the table shows times).
  const due = new Date(scheduled_at);
  const pad = (n: number) => String(n).padStart(2, "0");
  const local = `${due.getFullYear()}-${pad(due.getMonth() + 1)}-${pad(due.getDate())} ${pad(due.getHours())}:${pad(due.getMinutes())}:${pad(due.getSeconds())}`;
  expect(row).toContain(local);
});
