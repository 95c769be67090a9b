import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Client, createClient, type RunDetail } from "../../src/client/index.ts";
import { orch, projectServer, spawnOrch, tempDir } from "../helpers.ts";

// orch runs replay through the compiled binary with no Bun on PATH: a past run's flow, on the
// current code, with the recorded results of the tasks before --from.
const NO_BUN = { PATH: "/usr/local/bin:/usr/bin:/bin" };

// Each task writes its name to a trace file when its body runs: a recorded task never does.
const ETL = `import { appendFileSync, existsSync } from "node:fs";
import { flow, task } from "orch";
const trace = (dir: string, what: string) => appendFileSync(dir + "/trace.txt", what + "\\n");
const fetchRows = task("fetch", (dir: string, day: string) => {
  trace(dir, "fetch " + day);
  return [1, 2, 3].map((n) => ({ day, n }));
});
const transform = task("transform", (dir: string, rows: { n: number }[]) => {
  trace(dir, "transform");
  if (existsSync(dir + "/broken")) throw new Error("transform is broken");
  return rows.reduce((a, r) => a + r.n, 0);
});
const load = task("load", (dir: string, total: number) => {
  trace(dir, "load " + total);
  return total;
});
export default flow("etl", async ({ dir, day }: { dir: string; day: string }) => {
  const rows = await fetchRows(dir, day);
  const total = await transform(dir, rows);
  return await load(dir, total);
});
`;
/** The line of transform's `if` (0-based, as the debugger counts). */
const TRANSFORM_LINE = ETL.split("\n").findIndex((l) => l.includes('existsSync(dir + "/broken")'));

/** A WebSocket to `url`, retried until it opens (within a deadline). */
async function openSocket(url: string): Promise<WebSocket> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ws = new WebSocket(url);
    const open = await new Promise<boolean>((resolve) => {
      ws.onopen = () => resolve(true);
      ws.onerror = () => resolve(false);
    });
    if (open) return ws;
    if (Date.now() > deadline) throw new Error(`nothing listens at ${url}`);
    await Bun.sleep(50);
  }
}

let dir: string;
let work: string;
let cleanup: () => void;
let client: Client;
let failed: RunDetail;
const server = projectServer(() => dir);

const cli = (...args: string[]) => orch([...args, "--dir", dir], { env: NO_BUN });
const traced = () => readFileSync(join(work, "trace.txt"), "utf8").trim().split("\n");

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  work = join(dir, "work");
  await Bun.write(join(dir, "flows/etl.yaml"), "deployments:\n  - name: etl\n    flow: ./etl.ts\n");
  await Bun.write(join(dir, "flows/etl.ts"), ETL);
  await Bun.write(join(work, "broken"), "");
  await server.start();
  const { url } = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8"));
  client = createClient({ url, token: readFileSync(join(dir, ".orch/token"), "utf8").trim() });
  const ran = await cli("run", "etl", "-p", `dir=${work}`, "-p", "day=d1", "--watch", "--json");
  failed = await client.getRun(JSON.parse(ran.stdout).id);
  expect(failed.state).toBe("FAILED");
  expect(traced()).toEqual(["fetch d1", "transform"]);
});

afterAll(async () => {
  await server.stop();
  cleanup();
});

test("replay runs from the failed task with the recorded results of the tasks before it", async () => {
  writeFileSync(join(work, "trace.txt"), "");
  const r = await cli("runs", "replay", failed.id.slice(0, 8));
  expect(r.code).toBe(1);
  // fetch's recorded rows were given back: its body did not run; the failed task ran again.
  expect(traced()).toEqual(["transform"]);
  expect(r.stderr).toContain("from task transform): 1 recorded task result(s) given back");
  expect(r.stderr).toMatch(/fetch\s+COMPLETED \(Recorded\)/);
  expect(r.stderr).toMatch(/transform\s+FAILED: transform is broken/);
  // The replay is a run of its own (ad hoc), whose task list says what was given back.
  const replays = (await client.listRuns({ limit: 5 })).runs.filter((x) => x.deployment === null);
  const replayed = await client.getRun(replays[0]!.id);
  expect(replayed.state).toBe("FAILED");
  expect(replayed.tasks.map((t) => `${t.name} ${t.state_name}`)).toEqual([
    "fetch Recorded",
    "transform Failed",
  ]);
});

test("after the fix, replay --from an earlier task runs it and what follows on the current code", async () => {
  rmSync(join(work, "broken"));
  writeFileSync(join(work, "trace.txt"), "");
  const fixed = await cli("runs", "replay", failed.id, "--from", "transform");
  expect(fixed.code).toBe(0);
  expect(traced()).toEqual(["transform", "load 6"]);

  writeFileSync(join(work, "trace.txt"), "");
  const all = await cli("runs", "replay", failed.id, "--from", "fetch");
  expect(all.code).toBe(0);
  expect(traced()).toEqual(["fetch d1", "transform", "load 6"]);
  await Bun.write(join(work, "broken"), "");
});

test("replay --from a task the run never ran names the ones it did", async () => {
  const r = await cli("runs", "replay", failed.id, "--from", "nope");
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--from "nope"');
  expect(r.stderr).toContain("its tasks: fetch, transform");
});

test("replay --inspect waits for a debugger, pauses before the task, and stops at a breakpoint in the flow file", async () => {
  writeFileSync(join(work, "trace.txt"), "");
  const replay = spawnOrch(["runs", "replay", failed.id, "--inspect", "--dir", dir], {
    env: NO_BUN,
  });
  try {
    await replay.waitFor("debug.bun.sh", 30_000);
    const url = /ws:\/\/\S+/.exec(replay.stderr)![0];
    // Nothing ran before the debugger attached.
    expect(readFileSync(join(work, "trace.txt"), "utf8")).toBe("");

    // The flow's process listens once it has started: try until it answers.
    const ws = await openSocket(url);
    const messages: { method?: string; params?: Record<string, unknown> }[] = [];
    const waiters: (() => void)[] = [];
    ws.onmessage = (e) => {
      messages.push(JSON.parse(String(e.data)));
      for (const w of waiters.splice(0)) w();
    };
    let id = 0;
    const send = (method: string, params: object = {}) =>
      ws.send(JSON.stringify({ id: ++id, method, params }));
    const paused = async (seen: number) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const found = messages.slice(seen).find((m) => m.method === "Debugger.paused");
        if (found) return { found, seen: messages.indexOf(found) + 1 };
        if (Date.now() > deadline) throw new Error("the flow never paused");
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 500);
        });
      }
    };
    send("Debugger.enable");
    send("Debugger.setBreakpointsActive", { active: true });
    send("Debugger.setPauseOnDebuggerStatements", { enabled: true });
    send("Debugger.setBreakpointByUrl", {
      url: join(dir, "flows/etl.ts"),
      lineNumber: TRANSFORM_LINE,
    });
    send("Inspector.initialized");

    // First stop: just before the task replayed from; the recorded fetch has not run.
    const first = await paused(0);
    expect(readFileSync(join(work, "trace.txt"), "utf8")).toBe("");
    send("Debugger.resume");
    // Second stop: the breakpoint inside transform's body, in the author's own file.
    const second = await paused(first.seen);
    const frame = (second.found.params!.callFrames as { location: { lineNumber: number } }[])[0]!;
    expect(frame.location.lineNumber).toBe(TRANSFORM_LINE);
    const parsed = messages.find(
      (m) =>
        m.method === "Debugger.scriptParsed" &&
        String(m.params?.url).endsWith("flows/etl.ts") &&
        m.params?.scriptId ===
          (second.found.params!.callFrames as { location: { scriptId: string } }[])[0]!.location
            .scriptId,
    );
    expect(parsed).toBeDefined();
    send("Debugger.resume");
    expect(await replay.proc.exited).toBe(1);
    expect(traced()).toEqual(["transform"]);
    ws.close();
  } finally {
    replay.proc.kill("SIGTERM");
    await replay.proc.exited;
  }
});

// A map whose third item fails: the items before it were recorded, and so was the run's slot.
const MAPPED = `import { appendFileSync } from "node:fs";
import { flow, getScheduledAt, task } from "orch";
const convert = task("convert", (item: { dir: string; n: number }) => {
  appendFileSync(item.dir + "/mapped.txt", "convert " + item.n + "\\n");
  if (item.n < 0) throw new Error("row " + item.n + " is negative");
  return item.n * 10;
});
export default flow("mapped", async ({ dir }: { dir: string }) => {
  console.log("slot " + getScheduledAt()?.toISOString());
  const out = await convert.map([1, 2, -3, 4].map((n) => ({ dir, n })), { concurrency: 1 });
  return out.reduce((a, b) => a + b, 0);
});
`;

test("replay of a map that failed at its third item gives back the first two, runs the third on, and gets the run's slot", async () => {
  await Bun.write(
    join(dir, "flows/mapped.yaml"),
    "deployments:\n  - name: mapped\n    flow: ./mapped.ts\n",
  );
  await Bun.write(join(dir, "flows/mapped.ts"), MAPPED);
  const deadline = Date.now() + 30_000;
  while (!(await client.listDeployments()).some((d) => d.name === "mapped")) {
    if (Date.now() > deadline) throw new Error("mapped was not deployed");
    await Bun.sleep(50);
  }
  const ran = await cli("run", "mapped", "-p", `dir=${work}`, "--watch", "--json");
  const run = await client.getRun(JSON.parse(ran.stdout).id);
  expect(run.state).toBe("FAILED");
  writeFileSync(join(work, "mapped.txt"), "");
  const r = await cli("runs", "replay", run.id);
  expect(r.code).toBe(1);
  // The header and the task list agree: two items given back, the third ran (and the fourth).
  expect(r.stderr).toContain(
    "from task convert (its call 3)): 2 recorded task result(s) given back",
  );
  expect(r.stderr.match(/convert\s+COMPLETED \(Recorded\)/g)).toHaveLength(2);
  expect(r.stderr).toMatch(/convert\s+FAILED: row -3 is negative/);
  expect(readFileSync(join(work, "mapped.txt"), "utf8").trim().split("\n")).toEqual([
    "convert -3",
    "convert 4",
  ]);
  // getScheduledAt() in the replay is the replayed run's slot, not now.
  expect(r.stdout + r.stderr).toContain(`slot ${run.slot_at}`);
});
