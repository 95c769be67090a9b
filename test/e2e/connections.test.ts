import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { createClient, type RunJson } from "../../src/client/index.ts";
import { connectionBudget } from "../../src/server/fd-limit.ts";
import { ORCH, tempDir } from "../helpers.ts";

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await Bun.sleep(50);
  }
}

/** The limit orch starts under: 1,024 open files, which it may raise to 1,536. */
const SOFT = 1024;
const HARD = 1536;

test("2,000 idle connections: scheduled runs still start and complete on time, and health answers", async () => {
  const t = tempDir("orch-conn-e2e-");
  cleanups.push(t.cleanup);
  mkdirSync(join(t.dir, "flows"));
  writeFileSync(
    join(t.dir, "flows/tick.yaml"),
    'deployments:\n  - name: tick\n    command: ["true"]\n    schedules:\n      - interval: 1s\n',
  );
  const marker = `orch-conn-e2e-${process.pid}-${Date.now()}`;
  const up = Bun.spawn(
    [
      "prlimit",
      `--nofile=${SOFT}:${HARD}`,
      ORCH,
      "up",
      "--headless",
      "--port",
      "0",
      "--dir",
      t.dir,
    ],
    {
      env: { ...process.env, NO_COLOR: "1", ORCH_TEST_MARKER: marker },
      stdout: "ignore",
      stderr: "pipe",
    },
  );
  let log = "";
  void (async () => {
    for await (const chunk of up.stderr) log += new TextDecoder().decode(chunk);
  })();
  cleanups.push(async () => {
    up.kill("SIGTERM");
    await up.exited;
  });
  const url = await until("orch is up", () => /orch is up at (\S+)/.exec(log)?.[1]);
  // prlimit execs orch: the pid is orch's. Its soft limit is raised to the hard one.
  const limits = readFileSync(`/proc/${up.pid}/limits`, "utf8");
  expect(limits).toMatch(new RegExp(`Max open files\\s+${HARD}\\s+${HARD}`));
  const token = readFileSync(join(t.dir, ".orch/token"), "utf8").trim();
  const client = createClient({ url, token });
  const port = Number(new URL(url).port);

  // A client that follows the live stream throughout, as the monitor does.
  const abort = new AbortController();
  cleanups.push(() => abort.abort());
  const streamed = new Set<string>();
  void (async () => {
    for await (const m of client.streamEvents({ prefix: ["flow-run.completed"] }, abort.signal)) {
      const resource = (m.data as { resource?: string }).resource;
      if (resource) streamed.add(resource);
    }
  })().catch(() => {});

  // 2,000 connections from another address: half say nothing, half send a request head to a
  // webhook and then stall in the middle of its body.
  const floodStart = Date.now();
  const sockets: { socket: net.Socket; closed: boolean; received: string }[] = [];
  cleanups.push(() => {
    for (const s of sockets) s.socket.destroy();
  });
  await Promise.all(
    Array.from({ length: 2000 }, (_, i) => {
      const socket = net.connect({ host: "127.0.0.1", port, localAddress: "127.0.0.2" });
      const entry = { socket, closed: false, received: "" };
      sockets.push(entry);
      socket.on("data", (d) => {
        entry.received += d.toString();
      });
      socket.on("error", () => {});
      return new Promise<void>((resolve) => {
        socket.on("close", () => {
          entry.closed = true;
          resolve();
        });
        socket.on("connect", () => {
          if (i % 2) {
            socket.write(
              `POST /hooks/x HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 100000\r\n\r\n{"a":`,
            );
          }
          resolve();
        });
      });
    }),
  );

  const health = await fetch(`${url}/api/health`);
  expect(health.status).toBe(200);

  // Three scheduled runs due after the flood began complete, none of them Late or failed.
  const due = await until("three runs due after the flood completed", async () => {
    const { runs } = await client.listRuns({ deployment: "tick", limit: 100 });
    const after = runs.filter((r: RunJson) => Date.parse(r.scheduled_at ?? "") > floodStart);
    const ended = after.filter((r) => ["COMPLETED", "FAILED", "CRASHED"].includes(r.state));
    return ended.length >= 3 ? ended : undefined;
  });
  for (const run of due) {
    const detail = await client.getRun(run.id);
    expect([run.id, detail.state, detail.states.map((s) => s.name)]).toEqual([
      run.id,
      "COMPLETED",
      expect.not.arrayContaining(["Late"]),
    ]);
  }
  await until("the stream saw them complete", () =>
    due.every((r) => streamed.has(r.id)) ? true : undefined,
  );

  // What the flood got: at most one address's share held; the rest were closed or refused.
  const held = sockets.filter((s) => !s.closed).length;
  expect(held).toBeLessThanOrEqual(connectionBudget(HARD, 0).perAddress);
  expect(log).toMatch(/too many API connections \(\d+ from 127\.0\.0\.2/);
  expect(log).not.toMatch(/EMFILE|too many open files/i);
});
