import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { type Client, createClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { listEvents } from "../../src/store/index.ts";
import { tempDir } from "../helpers.ts";

const GOOD = `deployments:
  - name: hello
    command: ["true"]
`;
/** Seven problems in one file. */
const SEVEN = `deployments:
  - name: hello
    command: ["true"]
    retries: -1
    timeout: soon
    retry_delay: later
    schedules:
      - cron: "61 * * * *"
      - interval: often
      - cron: "* * * * * * * *"
    concurrency: { limit: 0 }
`;

let t: ReturnType<typeof tempDir>;
let server: OrchServer;
let client: Client;

beforeEach(async () => {
  t = tempDir("orch-problems-");
  mkdirSync(join(t.dir, "flows"));
  writeFileSync(join(t.dir, "flows/hello.yaml"), GOOD);
  server = await startServer({ dir: t.dir, port: 0, worker: false });
  client = createClient({ url: server.url, token: server.token });
});

afterEach(async () => {
  await server.stop();
  t.cleanup();
});

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(value)}`);
    await Bun.sleep(20);
  }
}

test("every problem of an invalid file is listed until it is valid again, which is an event", async () => {
  writeFileSync(join(t.dir, "flows/hello.yaml"), SEVEN);
  const broken = await until(
    () => client.listProblems(),
    (p) => p.files.length === 1,
  );
  expect(broken.files[0]!.file).toBe("flows/hello.yaml");
  expect(broken.files[0]!.problems).toHaveLength(7);
  for (const p of broken.files[0]!.problems) expect(p).toMatch(/^flows\/hello\.yaml:\d+:\d+: /);
  writeFileSync(join(t.dir, "flows/hello.yaml"), GOOD);
  await until(
    () => client.listProblems(),
    (p) => p.files.length === 0,
  );
  const [again] = listEvents(server.store, { prefix: "deployment.valid-again" });
  expect(again?.resource).toBe("flows/hello.yaml");
  expect(JSON.parse(again!.payload)).toEqual({
    file: "flows/hello.yaml",
    deployments: ["hello"],
    deleted: false,
  });
});

test("a broken file that is deleted, or was deleted while orch was down, leaves no problems", async () => {
  writeFileSync(join(t.dir, "flows/new.yaml"), "deployments: [unclosed\n");
  writeFileSync(join(t.dir, "flows/other.yaml"), "deployments: [unclosed\n");
  await until(
    () => client.listProblems(),
    (p) => p.files.length === 2,
  );
  rmSync(join(t.dir, "flows/new.yaml"));
  const left = await until(
    () => client.listProblems(),
    (p) => p.files.length === 1,
  );
  expect(left.files.map((f) => f.file)).toEqual(["flows/other.yaml"]);
  await server.stop();
  rmSync(join(t.dir, "flows/other.yaml"));
  server = await startServer({ dir: t.dir, port: 0, worker: false });
  client = createClient({ url: server.url, token: server.token });
  expect((await client.listProblems()).files).toEqual([]);
});

test("workers joining and leaving are events a live view follows", async () => {
  const { id } = await client.request<{ id: string }>("POST", "/api/workers", {
    name: "laptop",
    pool: "default",
    host: "box",
    concurrency: 1,
  });
  await client.request("POST", `/api/workers/${id}/offline`, {});
  await client.request("POST", `/api/workers/${id}/offline`, {});
  const events = listEvents(server.store, { prefix: "worker." }).reverse();
  expect(events.map((e) => [e.name, e.resource])).toEqual([
    ["worker.online", id],
    ["worker.offline", id],
  ]);
});
