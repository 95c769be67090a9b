import { afterAll, beforeAll, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { tempDir } from "../helpers.ts";

let server: OrchServer;
let cleanup: () => void;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  await Bun.write(
    `${t.dir}/flows/a.yaml`,
    `deployments:
  - name: load-orders
    command: ["true"]
  - name: backup
    command: ["true"]
    tags: [nightly]
`,
  );
  server = await startServer({ dir: t.dir, port: 0, worker: false });
});
afterAll(async () => {
  await server.stop();
  cleanup();
});

test("GET /api/runs?q= and /api/runs/counts filter by text; counts follow the listing's filter", async () => {
  const client = createClient({ url: server.url, token: server.token });
  const named = await client.triggerRun("load-orders", { name: "orders for monday" });
  await client.triggerRun("load-orders");
  await client.triggerRun("backup", { tags: ["weekly"] });
  expect((await client.listRuns({ q: "MONDAY" })).runs.map((r) => r.id)).toEqual([named.id]);
  expect((await client.listRuns({ q: "orders" })).runs).toHaveLength(2);
  expect(await client.countRuns({ q: "orders" })).toEqual({
    total: 2,
    states: { SCHEDULED: 2 },
  });
  expect(await client.countRuns({ tag: "weekly" })).toEqual({ total: 1, states: { SCHEDULED: 1 } });
  expect(await client.countRuns({ deployment: "nope" })).toEqual({ total: 0, states: {} });
  const bad = await fetch(`${server.url}/api/runs/counts?since=yesterday`, {
    headers: { Authorization: `Bearer ${server.token}` },
  });
  expect(bad.status).toBe(400);
  expect(await bad.json()).toMatchObject({
    error: { problems: [{ where: "since", message: '"yesterday" is not an ISO time' }] },
  });
  // The state is the listing's own filter, not the counts'.
  const withState = await fetch(`${server.url}/api/runs/counts?state=FAILED`, {
    headers: { Authorization: `Bearer ${server.token}` },
  });
  expect(withState.status).toBe(400);
});
