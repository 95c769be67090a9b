import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Client, createClient } from "../../src/client/index.ts";
import { spawnOrch, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

const marked = createMarker("older-server");
let project: { dir: string; cleanup: () => void };
let elsewhere: { dir: string; cleanup: () => void };
let up: ReturnType<typeof spawnOrch>;
let proxy: ReturnType<typeof Bun.serve>;
let client: Client;
let token: string;
const starts: string[] = [];

beforeAll(async () => {
  project = tempDir("orch-older-");
  elsewhere = tempDir("orch-older-worker-");
  await Bun.write(
    join(project.dir, "flows/older.yaml"),
    `deployments:\n  - name: once\n    command: ["sh", "-c", "echo ran"]\n    ${marked.yaml}\n`,
  );
  up = spawnOrch(["up", "--headless", "--port", "0", "--no-worker", "--dir", project.dir]);
  await up.waitFor("orch is up at", 15_000);
  const server = JSON.parse(readFileSync(join(project.dir, ".orch/server.json"), "utf8")) as {
    url: string;
  };
  token = readFileSync(join(project.dir, ".orch/token"), "utf8").trim();
  client = createClient({ url: server.url, token });
  // The server as an orch from before workers asked to start a run: the same API, but the start
  // route answers what any orch answers for a route it does not have.
  proxy = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 120,
    async fetch(req) {
      const { pathname, search } = new URL(req.url);
      if (req.method === "POST" && /^\/api\/workers\/[^/]+\/runs\/[^/]+\/start$/.test(pathname)) {
        starts.push(pathname);
        return Response.json(
          { error: { code: "E_NOT_FOUND", message: `no route POST ${pathname}` } },
          { status: 404 },
        );
      }
      const headers = new Headers(req.headers);
      headers.delete("host");
      return fetch(`${server.url}${pathname}${search}`, {
        method: req.method,
        headers,
        ...(req.method === "GET" || req.method === "HEAD" ? {} : { body: await req.arrayBuffer() }),
      });
    },
  });
});

afterAll(async () => {
  proxy?.stop(true);
  up?.proc.kill("SIGTERM");
  await up?.proc.exited;
  marked.kill();
  project?.cleanup();
  elsewhere?.cleanup();
});

test("a worker newer than its server stops with a clear error, gives its run back, and never starts it", async () => {
  const run = await client.triggerRun("once");
  const worker = spawnOrch(
    ["worker", "--pool", "default", "--api", `http://127.0.0.1:${proxy.port}`],
    { cwd: elsewhere.dir, env: { ORCH_API_TOKEN: token } },
  );
  const code = await worker.proc.exited;
  expect(code).toBe(2);
  expect(worker.stderr).toMatch(/is older than this worker/);
  expect(worker.stderr).toMatch(/Upgrade the server to orch/);
  // Asked once, not again and again.
  expect(starts).toHaveLength(1);
  expect(marked.pids()).toEqual([]);
  // The run waits for a worker that can run it; the worker left the pool.
  const detail = await client.getRun(run.id);
  expect(detail.state).toBe("SCHEDULED");
  // (A claim the worker abandoned as it stopped may have taken it meanwhile: its going offline
  // requeued it.)
  expect(detail.states.map((s) => s.message)).toContainEqual(
    expect.stringMatching(/cannot start runs of an older orch before this run started/),
  );
  expect((await client.listPools()).find((p) => p.name === "default")?.workers).toBe(0);
});
