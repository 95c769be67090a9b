import { afterAll, beforeAll, expect, test } from "vitest";
import { readSse } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { tempDir } from "../helpers.ts";

let server: OrchServer;
let cleanup: () => void;
let headers: Record<string, string>;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  server = await startServer({ dir: t.dir, port: 0, worker: false, retention: false });
  headers = { authorization: `Bearer ${server.token}`, "content-type": "application/json" };
});
afterAll(async () => {
  await server.stop();
  cleanup();
});

/** Follow the live stream; `next(n)` gives the next n events' ids and data as the client got them. */
async function follow(query = "") {
  const res = await fetch(`${server.url}/api/events/stream${query}`, { headers });
  expect(res.status).toBe(200);
  const events = readSse(res.body!);
  return {
    async next(n: number) {
      const got: { id: string | undefined; data: unknown }[] = [];
      while (got.length < n) {
        const { value, done } = await events.next();
        if (done) throw new Error("the stream ended");
        if (value.event === "event") got.push({ id: value.id, data: value.data });
      }
      return got;
    },
    close: () => events.return(undefined),
  };
}

test("every client following the stream gets each event whole, in order, the same bytes as the others", async () => {
  const clients = await Promise.all([follow(), follow(), follow("?prefix=bench.")]);
  for (const n of [1, 2, 3]) {
    const res = await fetch(`${server.url}/api/events`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: `bench.step-${n}`, resource: "r", payload: { n, text: "é\n" } }),
    });
    expect(res.status).toBe(201);
  }
  const seen = await Promise.all(clients.map((c) => c.next(3)));
  expect(seen[0]!.map((e) => (e.data as { payload: unknown }).payload)).toEqual([
    { n: 1, text: "é\n" },
    { n: 2, text: "é\n" },
    { n: 3, text: "é\n" },
  ]);
  expect(seen[1]).toEqual(seen[0]);
  expect(seen[2]).toEqual(seen[0]);
  expect(seen[0]!.map((e) => Number(e.id))).toEqual(
    seen[0]!.map((e) => (e.data as { id: number }).id),
  );
  await Promise.all(clients.map((c) => c.close()));
});
