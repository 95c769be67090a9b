import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  type Client,
  createClient,
  type LogLineJson,
  type RunJson,
  readSse,
} from "../../src/client/index.ts";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

// Following a run's log (orch run --watch, orch runs logs ID -f, the API's ?follow=1) gives every
// line exactly once and in order, however long the log and however slowly the client reads: the
// server sends a backlog as the client takes it, and a client whose stream is closed on the way
// takes it up after the last line it got.

/** Lines the run prints: far more than a client was ever let fall behind (20,000). */
const LINES = 120_000;
const EXPECTED = `${Array.from({ length: LINES }, (_, i) => i + 1).join("\n")}\n`;

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch>;
let url: string;
let token: string;
let client: Client;
const TERMINAL = ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"];
/** The ended run that printed LINES lines. */
let many: RunJson;
const cli = (...args: string[]) => orch([...args, "--dir", dir]);

beforeAll(async () => {
  ({ dir, cleanup } = tempDir("orch-log-follow-"));
  await Bun.write(
    join(dir, "flows/many.yaml"),
    `deployments:\n  - name: many\n    command: ["seq", "1", "${LINES}"]\n    include: []\n`,
  );
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  await up.waitFor("orch is up at", 15_000);
  url = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8")).url;
  token = readFileSync(join(dir, ".orch/token"), "utf8").trim();
  client = createClient({ url, token });
  const triggered = await client.triggerRun("many");
  for (many = triggered; !TERMINAL.includes(many.state); await Bun.sleep(50)) {
    many = await client.getRun(triggered.id);
  }
});

afterAll(async () => {
  up.proc.kill("SIGTERM");
  await up.proc.exited;
  cleanup();
});

test("orch run --watch prints every line of a run of 120,000 lines once, in order", async () => {
  const r = await cli("run", "many", "--watch");
  expect(r.stdout.length).toBe(EXPECTED.length);
  expect(r.stdout === EXPECTED).toBe(true);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/COMPLETED \(exit code 0\)/);
});

test("orch runs logs ID -f prints every line of the ended run once, in order", async () => {
  const r = await cli("runs", "logs", many.id, "-f");
  expect(r.stdout.length).toBe(EXPECTED.length);
  expect(r.stdout === EXPECTED).toBe(true);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/COMPLETED \(exit code 0\)/);
});

test("a client that stops reading still gets every line, and the server answers others meanwhile", async () => {
  const res = await fetch(`${url}/api/runs/${many.id}/logs?follow=1`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  const messages = readSse(res.body!);
  const got: string[] = [];
  let end: unknown = null;
  const take = async (until: (n: number) => boolean) => {
    while (!end && !until(got.length)) {
      const { value, done } = await messages.next();
      if (done) return;
      if (value.event === "log") got.push((value.data as LogLineJson).line);
      else if (value.event === "end") end = value.data;
    }
  };
  await take((n) => n >= 1000);
  // Stalled: the client reads nothing while others ask the server, which answers each at once.
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    const health = await fetch(`${url}/api/health`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(health.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(2000);
  }
  await take(() => false);
  expect(got.length).toBe(LINES);
  expect(`${got.join("\n")}\n` === EXPECTED).toBe(true);
  expect(end).toMatchObject({ id: many.id, state: "COMPLETED" });
});

/**
 * A fetch whose event streams are cut after `bytes` bytes, mid-message as it falls, alternately
 * closed (as a server lets a client go) and broken off (as a dropped connection): what a client
 * meets on a long follow, on every connection.
 */
function cuttingFetch(bytes: number) {
  let cuts = 0;
  const send = async (req: Request): Promise<Response> => {
    const res = await fetch(req);
    if (!res.headers.get("content-type")?.includes("text/event-stream")) return res;
    const reader = res.body!.getReader();
    let left = bytes;
    const broken = cuts++ % 2 === 1;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        if (value.length < left) {
          left -= value.length;
          return controller.enqueue(value);
        }
        controller.enqueue(value.subarray(0, left));
        await reader.cancel();
        if (broken) controller.error(Object.assign(new Error("reset"), { code: "ECONNRESET" }));
        else controller.close();
      },
    });
    return new Response(body, { status: res.status, headers: res.headers });
  };
  return { send, cuts: () => cuts };
}

test("a followed log whose stream is cut again and again is taken up after its last line: every line once", async () => {
  const cutting = cuttingFetch(400_000);
  const cut = createClient({ url, token, fetch: cutting.send });
  const got: string[] = [];
  let end: RunJson | null = null;
  for await (const message of cut.followLogs(many.id)) {
    if (message.event === "log") got.push(message.data.line);
    else if (message.event === "end") end = message.data;
  }
  expect(cutting.cuts()).toBeGreaterThan(10);
  expect(got.length).toBe(LINES);
  expect(`${got.join("\n")}\n` === EXPECTED).toBe(true);
  expect(end).toMatchObject({ id: many.id, state: "COMPLETED" });
});

test("the live event stream, cut again and again, gives every event once, in order", async () => {
  const [newest] = await client.listEvents({ limit: 1 });
  const emitted: number[] = [];
  for (let batch = 0; batch < 30; batch++) {
    const made = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        client.emitEvent({ name: "follow.test", payload: { n: batch * 100 + i } }),
      ),
    );
    emitted.push(...made.map((e) => e.id));
  }
  emitted.sort((a, b) => a - b);
  const cutting = cuttingFetch(20_000);
  const cut = createClient({ url, token, fetch: cutting.send });
  const got: number[] = [];
  for await (const message of cut.streamEvents({ prefix: ["follow."], after: newest?.id ?? 0 })) {
    if (message.event !== "event") continue;
    got.push(message.data.id);
    if (got.length === emitted.length) break;
  }
  expect(cutting.cuts()).toBeGreaterThan(10);
  expect(got).toEqual(emitted);
});

test("orch runs logs -f of a running run, when orch is killed, says orch was lost and exits 1", async () => {
  const other = tempDir("orch-log-follow-gone-");
  try {
    await Bun.write(
      join(other.dir, "flows/slow.yaml"),
      'deployments:\n  - name: slow\n    command: ["sh", "-c", "echo started; sleep 5"]\n    include: []\n',
    );
    const server = spawnOrch(["up", "--headless", "--port", "0", "--dir", other.dir]);
    await server.waitFor("orch is up at", 15_000);
    const run = await orch(["run", "slow", "--json", "--dir", other.dir]);
    const { id } = JSON.parse(run.stdout) as RunJson;
    const follow = spawnOrch(["runs", "logs", id, "-f", "--dir", other.dir]);
    const printed = (async () => {
      let out = "";
      for await (const chunk of follow.proc.stdout) {
        out += new TextDecoder().decode(chunk);
        if (out.includes("started")) server.proc.kill("SIGKILL");
      }
      return out;
    })();
    const code = await follow.proc.exited;
    await server.proc.exited;
    expect(await printed).toBe("started\n");
    expect(code).toBe(1);
    expect(follow.stderr).toMatch(/lost orch at http:\/\/127\.0\.0\.1:\d+ while following run/);
    // Nothing is claimed about how the run ended.
    expect(follow.stderr).not.toMatch(/COMPLETED|FAILED|CRASHED|CANCELLED/);
  } finally {
    other.cleanup();
  }
});
