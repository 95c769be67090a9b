import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { getRunOrThrow, openStore, runStates } from "../../src/store/index.ts";
import { spawnOrch, tempDir } from "../helpers.ts";

// A run's way through the API as a client sees it (create and claim in one commit, a burst's
// runs created a turn's worth per transaction, RUNNING and the end written together), checked
// for what users rely on: every run's whole history, in order, and nothing lost to a kill -9.

const FLOWS = `deployments:
  - name: quick
    command: ["true"]
  - name: single
    command: ["sleep", "5"]
    concurrency: { limit: 1, collision: cancel-new }
  - name: checked
    command: ["true"]
    parameter_schema:
      type: object
      properties: { n: { type: integer } }
`;

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch> | null;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/all.yaml"), FLOWS);
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  await up.waitFor("orch is up at");
});

afterEach(async () => {
  up?.proc.kill("SIGTERM");
  await up?.proc.exited;
  cleanup();
});

function api() {
  const { url } = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8")) as {
    url: string;
  };
  const token = readFileSync(join(dir, ".orch/token"), "utf8").trim();
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  return {
    post: (name: string, body: unknown = {}) =>
      fetch(`${url}/api/deployments/${name}/runs`, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
      }),
    get: async <T>(path: string): Promise<T> => {
      const res = await fetch(`${url}${path}`, { headers });
      expect(res.status).toBe(200);
      return (await res.json()) as T;
    },
  };
}

interface Detail {
  id: string;
  state: string;
  started_at: string | null;
  ended_at: string | null;
  states: { type: string; at: string }[];
}

/** Poll until `check` holds, or fail after 20 s with the last value seen. */
async function until<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  let value = await read();
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`gave up waiting; last: ${JSON.stringify(value)}`);
    await Bun.sleep(20);
    value = await read();
  }
  return value;
}

const ended = (detail: Detail) => !["SCHEDULED", "PENDING", "RUNNING"].includes(detail.state);

/** The run's whole history and its events, in order and in time. */
async function expectWholeHistory(client: ReturnType<typeof api>, run: Detail) {
  expect(run.state).toBe("COMPLETED");
  expect(run.states.map((s) => s.type)).toEqual(["SCHEDULED", "PENDING", "RUNNING", "COMPLETED"]);
  const times = run.states.map((s) => Date.parse(s.at));
  expect(times).toEqual([...times].sort((a, b) => a - b));
  expect(run.started_at).toBe(run.states[2]!.at);
  expect(run.ended_at).toBe(run.states[3]!.at);
  const events = await client.get<{ id: number; name: string; resource: string }[]>(
    "/api/events?name=flow-run.*&limit=1000",
  );
  const own = events.filter((e) => e.resource === run.id).reverse();
  expect(own.map((e) => e.name)).toEqual([
    "flow-run.scheduled",
    "flow-run.pending",
    "flow-run.running",
    "flow-run.completed",
  ]);
}

test("a run triggered while a slot is free is claimed by the commit that creates it, and keeps its whole history", async () => {
  const client = api();
  // The first run tells the worker is up (the server serves while the project loads).
  const first = (await (await client.post("quick")).json()) as Detail;
  await until(() => client.get<Detail>(`/api/runs/${first.id}`), ended);

  const res = await client.post("quick");
  expect(res.status).toBe(201);
  const created = (await res.json()) as Detail;
  // Created and claimed in one transaction: the answer already shows it PENDING.
  expect(created.state).toBe("PENDING");
  const run = await until(() => client.get<Detail>(`/api/runs/${created.id}`), ended);
  await expectWholeHistory(client, run);
});

test("runs triggered at once are each created, claimed and completed whole; a bad one in the burst is refused alone", async () => {
  const client = api();
  const answers = await Promise.all([
    ...Array.from({ length: 40 }, (_, i) => client.post("checked", { parameters: { n: i } })),
    client.post("checked", { parameters: { n: "not a number" } }),
  ]);
  const bad = answers.pop()!;
  expect(bad.status).toBe(400);
  expect(await bad.text()).toContain("parameters.n");
  expect(answers.map((r) => r.status)).toEqual(answers.map(() => 201));
  const ids = await Promise.all(answers.map(async (r) => ((await r.json()) as Detail).id));
  expect(new Set(ids).size).toBe(40);
  for (const id of ids) {
    const run = await until(() => client.get<Detail>(`/api/runs/${id}`), ended);
    await expectWholeHistory(client, run);
  }
  const listed = await client.get<{ id: string }[]>("/api/runs?deployment=checked&limit=100");
  expect(listed.map((r) => r.id).sort()).toEqual([...ids].sort());
});

test("runs seen COMPLETED through the API are still COMPLETED, with their whole history, after a kill -9 of the server", async () => {
  const client = api();
  const answers = await Promise.all(Array.from({ length: 30 }, () => client.post("quick")));
  const ids = await Promise.all(answers.map(async (r) => ((await r.json()) as Detail).id));
  for (const id of ids) await until(() => client.get<Detail>(`/api/runs/${id}`), ended);

  up!.proc.kill("SIGKILL");
  await up!.proc.exited;
  up = null;
  const store = openStore(join(dir, ".orch/orch.db"));
  try {
    for (const id of ids) {
      const row = getRunOrThrow(store, id);
      expect(row.state_type).toBe("COMPLETED");
      expect(runStates(store, row.seq).map((s) => s.type)).toEqual([
        "SCHEDULED",
        "PENDING",
        "RUNNING",
        "COMPLETED",
      ]);
    }
  } finally {
    store.close();
  }
});

test("the answer to a trigger is the run as its commit left it: cancelled at once when its deployment is busy (cancel-new)", async () => {
  const { post, get } = api();
  const first = (await (await post("single")).json()) as Detail;
  expect(["SCHEDULED", "PENDING", "RUNNING"]).toContain(first.state);
  for (let i = 0; i < 200; i++) {
    if ((await get<Detail>(`/api/runs/${first.id}`)).state === "RUNNING") break;
    await Bun.sleep(25);
  }
  const res = await post("single");
  expect(res.status).toBe(201);
  const second = (await res.json()) as Detail;
  const stored = await get<Detail>(`/api/runs/${second.id}`);
  expect(stored.state).toBe("CANCELLED");
  expect(second.state).toBe(stored.state);
});
