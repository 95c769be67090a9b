import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Client, createClient, type RunDetail } from "../../src/client/index.ts";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

// The SDK's task runtime and logs, through the compiled binary with no Bun on PATH: the flows
// import "orch" and run inside dist/orch, tracked by a real server.
const NO_BUN = { PATH: "/usr/local/bin:/usr/bin:/bin" };

const FLOWS = `deployments:
  - name: retry
    flow: ./retry.ts
  - name: mapper
    flow: ./mapper.ts
  - name: mapfail
    flow: ./mapfail.ts
  - name: mapkeep
    flow: ./mapkeep.ts
  - name: tagged
    flow: ./tagged.ts
  - name: holder
    flow: ./holder.ts
  - name: logs
    flow: ./logs.ts
  - name: thrower
    flow: ./thrower.ts
  - name: slow
    flow: ./slow.ts
  - name: remote-thrower
    flow: ./remote-thrower.ts
    work_pool: remote
`;

/** Each item writes `start i` and `end i` lines to a file: what ran at once can be replayed. */
const TRACE = `import { appendFileSync } from "node:fs";
const trace = async (out: string, id: string, ms: number) => {
  appendFileSync(out, "start " + id + "\\n");
  await new Promise((resolve) => setTimeout(resolve, ms));
  appendFileSync(out, "end " + id + "\\n");
};`;

const SOURCES: Record<string, string> = {
  "retry.ts": `import { exponential, flow, getRunLogger, getTaskContext, task } from "orch";
const flaky = task("flaky", async () => {
  const { attempt } = getTaskContext()!;
  getRunLogger().info("attempt", { attempt, now: Date.now() });
  if (attempt < 4) throw new Error("flaky failure " + attempt);
  return attempt;
}, { retries: 3, retryDelay: exponential("100ms") });
export default flow("retry", async () => {
  const future = flaky.submit();
  return await future.result();
});
`,
  "mapper.ts": `import { flow, task } from "orch";
${TRACE}
export default flow("mapper", async ({ out }: { out: string }) => {
  const item = task("item", (i: number) => trace(out, String(i), 30));
  const done = await item.map([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], { concurrency: 3 });
  console.log("mapped", done.length);
});
`,
  "mapfail.ts": `import { flow, task } from "orch";
const check = task("check", async (n: number) => {
  if (n % 2) throw new Error(n + " is odd");
  return n;
});
export default flow("mapfail", async () => {
  await check.map([0, 1, 2, 3, 4]);
});
`,
  "mapkeep.ts": `import { flow, task, unmapped } from "orch";
const price = task("price", async (sku: string, qty: number, currency: string) => {
  if (qty < 0) throw new Error(sku + ": no negative quantities");
  return sku + " " + qty * 3 + " " + currency;
});
export default flow("mapkeep", async () => {
  const outcomes = await price.map(["a", "b", "c"], [1, -2, 3], unmapped("EUR"), { settle: true });
  return outcomes.map((o) => (o.status === "fulfilled" ? o.value : "failed: " + o.reason.message));
});
`,
  "tagged.ts": `import { flow, task } from "orch";
${TRACE}
export default flow("tagged", async ({ out, who }: { out: string; who: string }) => {
  const db = task("db", (i: number) => trace(out, who + i, 60), {
    concurrency: { tag: "e2e-db", limit: 2 },
  });
  await db.map([0, 1, 2, 3, 4, 5], { concurrency: 6 });
});
`,
  "holder.ts": `import { flow, task } from "orch";
const hold = task("hold", async () => {
  console.log("holding the slot");
  await new Promise((resolve) => setTimeout(resolve, 60_000));
}, { concurrency: { tag: "e2e-hold", limit: 1 } });
export default flow("holder", async () => {
  await hold();
});
`,
  "logs.ts": `import { flow, getRunLogger } from "orch";
export default flow("logs", async () => {
  const log = getRunLogger({ stage: "load" });
  log.debug("a debug detail");
  log.info("loaded the rows", { rows: 3 });
  log.warn("a row was skipped", { row: 7 });
  log.error("the target is read-only");
  console.log("plain console output");
  console.warn("a console warning");
});
`,
  "thrower.ts": `import { flow } from "orch";
function deepInside() {
  throw new Error("the disk is full");
}
export default flow("thrower", async () => {
  console.log("working");
  deepInside();
});
`,
  "remote-thrower.ts": `import { flow, getRunLogger } from "orch";
export default flow("remote-thrower", async () => {
  getRunLogger().warn("about to fail", { where: "remote" });
  throw new Error("the remote disk is full");
});
`,
  "slow.ts": `import { flow, task } from "orch";
const slow = task("slow", () => new Promise((resolve) => setTimeout(resolve, 30_000)), {
  timeout: "300ms",
});
export default flow("slow", async () => {
  await slow();
});
`,
};

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch>;
let client: Client;
let elsewhere: { dir: string; cleanup: () => void };
let worker: ReturnType<typeof spawnOrch>;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/all.yaml"), FLOWS);
  for (const [file, text] of Object.entries(SOURCES))
    await Bun.write(join(dir, "flows", file), text);
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir], { env: NO_BUN });
  await up.waitFor("orch is up at");
  const { url } = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8"));
  const token = readFileSync(join(dir, ".orch/token"), "utf8").trim();
  client = createClient({ url, token });
  // A worker in another folder, as on another machine: it runs the "remote" pool's flows from
  // their downloaded bundles.
  elsewhere = tempDir("orch-elsewhere-");
  worker = spawnOrch(["worker", "--pool", "remote", "--api", url, "--token", token], {
    cwd: elsewhere.dir,
    env: NO_BUN,
  });
  await worker.waitFor("takes runs of pool remote", 15_000);
});

afterAll(async () => {
  worker.proc.kill("SIGTERM");
  up.proc.kill("SIGTERM");
  await Promise.all([worker.proc.exited, up.proc.exited]);
  elsewhere.cleanup();
  cleanup();
});

const cli = (...args: string[]) => orch([...args, "--dir", dir], { env: NO_BUN });

/** Trigger a deployment and wait (with a deadline) until its run ends. */
async function runToEnd(name: string, parameters: Record<string, unknown> = {}) {
  const run = await client.triggerRun(name, { parameters });
  return waitForEnd(run.id);
}

async function waitForEnd(id: string): Promise<RunDetail> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const run = await client.getRun(id);
    if (["COMPLETED", "FAILED", "CRASHED", "CANCELLED"].includes(run.state)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is still ${run.state}`);
    await Bun.sleep(50);
  }
}

/** The most `start`s without their `end` at any point of a trace file. */
function mostAtOnce(file: string): { most: number; started: number } {
  let now = 0;
  let most = 0;
  let started = 0;
  for (const line of readFileSync(file, "utf8").trim().split("\n")) {
    if (line.startsWith("start ")) {
      now++;
      started++;
    } else now--;
    most = Math.max(most, now);
  }
  return { most, started };
}

describe("tasks", () => {
  test("retries wait as exponential() says, each retry logged as a warning with its error", async () => {
    const run = await runToEnd("retry");
    expect(run.state).toBe("COMPLETED");
    expect(run.tasks).toMatchObject([{ name: "flaky", state: "COMPLETED", attempts: 4 }]);
    const lines = await client.runLogs(run.id);
    const warnings = lines.filter((l) => l.level === "warn");
    expect(warnings.map((l) => l.line)).toEqual([
      "task flaky attempt 1 failed: flaky failure 1; retrying in 100ms",
      "task flaky attempt 2 failed: flaky failure 2; retrying in 200ms",
      "task flaky attempt 3 failed: flaky failure 3; retrying in 400ms",
    ]);
    expect(warnings.map((l) => l.fields?.retry_in_ms)).toEqual([100, 200, 400]);
    // The attempts' start times as the flow recorded them: each wait lasted at least the delay
    // planned for it (100, 200, 400ms). How much longer depends on the machine's load, so the
    // growth is asserted on the planned delays above, and the waits only bounded below.
    const starts = lines.filter((l) => l.line === "attempt").map((l) => l.fields?.now as number);
    expect(lines.filter((l) => l.line === "attempt").map((l) => l.fields?.attempt)).toEqual([
      1, 2, 3, 4,
    ]);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(100 * 2 ** i);
  });

  test("map with concurrency 3 never runs more than 3 items at once", async () => {
    const out = join(dir, "map-trace.txt");
    const run = await runToEnd("mapper", { out });
    expect(run.state).toBe("COMPLETED");
    expect(mostAtOnce(out)).toEqual({ most: 3, started: 12 });
    expect(run.tasks.filter((t) => t.state === "COMPLETED")).toHaveLength(12);
  });

  test("a map whose items fail fails the run, naming each failed item", async () => {
    const run = await runToEnd("mapfail");
    expect(run.state).toBe("FAILED");
    expect(run.state_message).toBe(
      'task "check" failed for 2 of 5 items: [1] 1 is odd; [3] 3 is odd',
    );
    const errors = await client.runLogs(run.id, { level: "error", grep: "task check failed" });
    expect(errors.map((l) => l.line)).toEqual([
      "task check failed: 1 is odd",
      "task check failed: 3 is odd",
    ]);
  });

  test("a map with a list beside its items and an unmapped value goes on past failed items with settle", async () => {
    const run = await runToEnd("mapkeep");
    expect(run.state).toBe("COMPLETED");
    expect((await client.getResult(run.id)).value).toEqual([
      "a 3 EUR",
      "failed: b: no negative quantities",
      "c 9 EUR",
    ]);
    expect(run.tasks.map((t) => t.state).sort()).toEqual(["COMPLETED", "COMPLETED", "FAILED"]);
  });

  test("a tag's limit holds across two runs at once, and no slot is left held", async () => {
    const out = join(dir, "tag-trace.txt");
    const [a, b] = await Promise.all([
      client.triggerRun("tagged", { parameters: { out, who: "a" } }),
      client.triggerRun("tagged", { parameters: { out, who: "b" } }),
    ]);
    const ended = await Promise.all([waitForEnd(a!.id), waitForEnd(b!.id)]);
    expect(ended.map((r) => r.state)).toEqual(["COMPLETED", "COMPLETED"]);
    // The two runs ran at the same time, yet never more than 2 items ran together.
    const [x, y] = ended.map((r) => [Date.parse(r.started_at!), Date.parse(r.ended_at!)]);
    expect(x![0]! < y![1]! && y![0]! < x![1]!).toBe(true);
    expect(mostAtOnce(out)).toEqual({ most: 2, started: 12 });
    expect(await client.request("GET", "/api/tag-slots")).toEqual({});
  });

  test("a run that is stopped while a task holds a tag's slot leaves it free, and its task ends with it", async () => {
    const run = await client.triggerRun("holder", {});
    const deadline = Date.now() + 30_000;
    // Its task has started, and the server has heard so.
    while (!(await client.getRun(run.id)).tasks.some((t) => t.state === "RUNNING")) {
      if (Date.now() > deadline) throw new Error("the task never started");
      await Bun.sleep(50);
    }
    expect(await client.request("GET", "/api/tag-slots")).toEqual({ "e2e-hold": 1 });
    await client.cancelRun(run.id);
    const ended = await waitForEnd(run.id);
    expect(ended.state).toBe("CANCELLED");
    expect(await client.request("GET", "/api/tag-slots")).toEqual({});
    // No screen may show the task running once its run's process is gone.
    expect(ended.tasks).toMatchObject([
      { name: "hold", state: "CANCELLED", message: "cancelled with its flow run" },
    ]);
    expect(ended.tasks[0]!.ended_at).not.toBeNull();
    const inspect = await cli("runs", "inspect", run.id);
    expect(inspect.stdout).toMatch(/hold +CANCELLED/);
  });

  test("a task past its timeout fails as TimedOut, and so does the run, saying why", async () => {
    const run = await runToEnd("slow");
    expect(run.state).toBe("FAILED");
    expect(run.state_message).toBe('task "slow" timed out after 300ms');
    expect(run.tasks).toMatchObject([
      { name: "slow", state: "FAILED", state_name: "TimedOut", attempts: 1 },
    ]);
    const inspect = await cli("runs", "inspect", run.id);
    expect(inspect.stdout).toContain(
      'slow  FAILED (TimedOut)  attempts 1: task "slow" timed out after 300ms',
    );
  });
});

describe("logs", () => {
  test("the logger's levels and fields, and console.*, filtered by --level and --grep", async () => {
    const run = await runToEnd("logs");
    expect(run.state).toBe("COMPLETED");
    const all = JSON.parse((await cli("runs", "logs", run.id, "--json")).stdout);
    expect(all.map((l: { level: string; line: string }) => [l.level, l.line]).sort()).toEqual(
      [
        ["debug", "a debug detail"],
        ["info", "loaded the rows"],
        ["warn", "a row was skipped"],
        ["error", "the target is read-only"],
        ["info", "plain console output"],
        ["warn", "a console warning"],
      ].sort(),
    );
    const warn = JSON.parse(
      (await cli("runs", "logs", run.id, "--level", "warn", "--json")).stdout,
    );
    expect(warn.map((l: { line: string }) => l.line).sort()).toEqual(
      ["a console warning", "a row was skipped", "the target is read-only"].sort(),
    );
    expect(warn.find((l: { line: string }) => l.line === "a row was skipped").fields).toEqual({
      stage: "load",
      row: 7,
    });
    const human = await cli("runs", "logs", run.id, "--level", "warn", "--grep", "skipped");
    expect(human.code).toBe(0);
    // A run's lines are on stdout, their level named; orch's own messages alone on stderr.
    expect(human.stdout).toBe("WARN  a row was skipped stage=load row=7\n");
    expect(human.stderr).toBe("");
    // The API filters the same way.
    const errors = await client.runLogs(run.id, { level: "error" });
    expect(errors.map((l) => l.line)).toEqual(["the target is read-only"]);
    const grep = await client.runLogs(run.id, { grep: "rows" });
    expect(grep.map((l) => [l.line, l.fields])).toEqual([
      ["loaded the rows", { stage: "load", rows: 3 }],
    ]);
    const bad = await cli("runs", "logs", run.id, "--level", "loud");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /--level "loud" is not a level; use one of debug, info, warn, error/,
    );
  });

  test("on a remote worker too, a thrown error's message is the run's message, and records keep their level and fields", async () => {
    const run = await runToEnd("remote-thrower");
    expect(run).toMatchObject({ state: "FAILED", state_message: "the remote disk is full" });
    expect(run.worker).not.toBeNull();
    const warnings = await client.runLogs(run.id, { level: "warn" });
    expect(warnings.map((l) => [l.level, l.line, l.fields])).toEqual([
      ["warn", "about to fail", { where: "remote" }],
      ["error", "Error: the remote disk is full", undefined],
      ...warnings.slice(2).map((l) => ["error", l.line, undefined]),
    ]);
  });

  test("a thrown error's message is the run's state message, its stack in the logs, naming the project's files", async () => {
    const run = await runToEnd("thrower");
    expect(run.state).toBe("FAILED");
    expect(run.state_message).toBe("the disk is full");
    expect(run.states.at(-1)).toMatchObject({ type: "FAILED", message: "the disk is full" });
    const errors = await cli("runs", "logs", run.id, "--level", "error");
    expect(errors.stdout).toMatch(
      /^ERROR Error: the disk is full\nERROR\s+at deepInside .*thrower\.ts:3/,
    );
    // The stack names the file as the definition does (beside it: ./thrower.ts), not the run's
    // private copy of it, and leaves out orch's own frames.
    expect(errors.stdout).toMatch(/^ERROR\s+at deepInside \(thrower\.ts:3:\d+\)$/m);
    expect(errors.stdout).not.toContain(".orch");
    expect(errors.stdout).not.toContain(dir);
    expect(errors.stdout).not.toContain("$bunfs");
    expect(errors.stderr).toBe("");
  });
});
