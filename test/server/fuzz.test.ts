/**
 * Fuzz of the API: random and mutated bodies, queries and path parameters for every route of
 * /api/openapi.json, with and without the token, with bad Host and Origin headers. Bounded in
 * count and time; seeded (ORCH_FUZZ_SEED=<n> replays a run, and a failure says its seed).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { tempDir } from "../helpers.ts";

const FLOWS = `deployments:
  - name: echo
    command: ["echo", "{{ parameters.n }}"]
    parameters: { n: 1 }
    parameter_schema:
      type: object
      properties: { n: { type: integer, minimum: 0 } }
  - name: still-here
    command: ["echo", "{{ parameters.n }}"]
    parameters: { n: 1 }
  - name: on-hook
    command: ["echo", "{{ parameters.ref }}"]
    parameters: { ref: none }
    triggers:
      - on: webhook.fuzz
        parameters: { ref: "{{ event.payload.ref }}" }
`;

/** Requests in all, and the time they may take past the first rounds (every route COVERAGE times). */
const REQUESTS = 1000;
const TIME_BUDGET_MS = 8000;
const COVERAGE = 3;
const CONCURRENCY = 8;

const seed = Number(process.env.ORCH_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function createRandom(start: number) {
  let a = start >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(items: readonly T[]): T => items[int(items.length)]! };
}

type Random = ReturnType<typeof createRandom>;

const STRINGS = [
  "",
  "x",
  "echo",
  "on-hook",
  "default",
  "..",
  "../../etc/passwd",
  "%zz",
  "%2F..%2F",
  "$(id)",
  "`id`",
  "a;b|c&&d",
  "\u0000\u0001\u001b[2J",
  "é漢字🙂",
  "2026-11-30T01:02:03Z",
  "yesterday",
  "30d",
  "1s",
  "-1",
  "1e999",
  "NaN",
  "null",
  "a".repeat(5000),
  "flow-run.completed",
  "webhook.fuzz",
];
const NUMBERS = [0, 1, -1, 2, 100, 0.5, 1e308, -1e308, 2 ** 53 + 1, 60_000, 10_000_000];

/** A random value, mostly shaped by `schema` (often wrong on purpose). */
function sample(schema: Record<string, unknown> | undefined, r: Random, depth = 0): unknown {
  if (depth > 6 || !schema || r.next() < 0.08) return r.pick<unknown>([null, 1, "x", [], {}, true]);
  if (Array.isArray(schema.enum) && r.next() < 0.8) return r.pick(schema.enum as unknown[]);
  const types = ([] as string[]).concat((schema.type as string | string[] | undefined) ?? "any");
  switch (r.pick(types)) {
    case "object": {
      const out: Record<string, unknown> = {};
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const [key, sub] of Object.entries(properties)) {
        if (r.next() < 0.7) out[key] = sample(sub, r, depth + 1);
      }
      if (r.next() < 0.1) out[r.pick(STRINGS)] = sample(undefined, r, depth + 1);
      return out;
    }
    case "array": {
      const items = schema.items as Record<string, unknown> | undefined;
      return Array.from({ length: r.pick([0, 1, 2, 3, 150]) }, () => sample(items, r, depth + 1));
    }
    case "string":
      return r.pick(STRINGS);
    case "integer":
    case "number":
      return r.pick(NUMBERS);
    case "boolean":
      return r.next() < 0.5;
    case "null":
      return null;
    default:
      return r.pick<unknown>([r.pick(STRINGS), r.pick(NUMBERS), { a: { b: [1] } }, [1, "x"], null]);
  }
}

/** Mutate JSON text: numbers out of range, cut short, nested deep, or not JSON at all. */
function mutate(text: string, r: Random): string {
  switch (r.int(9)) {
    case 0:
      return text.replace(/-?\d+(\.\d+)?/, "1e999");
    case 1:
      return text.slice(0, r.int(text.length + 1));
    case 2:
      return `${"[".repeat(70_000)}${"]".repeat(70_000)}`;
    case 3:
      return `{"a":${'{"b":'.repeat(200)}1${"}".repeat(200)}}`;
    case 4:
      return String.fromCharCode(...Array.from({ length: r.int(64) }, () => r.int(256)));
    case 5:
      return r.pick(["", "null", "[]", "1", '"x"', "{}", "{}{}", '{"__proto__":{"x":1}}']);
    default:
      return text;
  }
}

interface Operation {
  method: string;
  path: string;
  query: { name: string; schema: Record<string, unknown> }[];
  body?: Record<string, unknown>;
}

let server: OrchServer;
let cleanup: () => void;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  await Bun.write(`${t.dir}/flows/a.yaml`, FLOWS);
  server = await startServer({ dir: t.dir, port: 0, worker: { concurrency: 4 } });
});
afterAll(async () => {
  await server.stop();
  cleanup();
});

test("no request, however malformed, gets a 5xx; the server is healthy after", async () => {
  const client = createClient({ url: server.url, token: server.token });
  const known = await client.triggerRun("echo", { parameters: { n: 3 } });
  const doc = await client.request<{
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: { name: string; in: string; schema: Record<string, unknown> }[];
          requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
        }
      >
    >;
  }>("GET", "/api/openapi.json");
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      operations.push({
        method: method.toUpperCase(),
        path,
        query: (op.parameters ?? []).filter((p) => p.in === "query"),
        body: op.requestBody?.content["application/json"]?.schema,
      });
    }
  }
  expect(operations.length).toBeGreaterThan(20);

  const r = createRandom(seed);
  const pathValue = () =>
    encodeURIComponent(r.pick([...STRINGS.slice(0, 20), known.id, known.id.slice(0, 8)])).replace(
      r.next() < 0.2 ? /%25/g : /$^/,
      "%",
    );
  const failures: string[] = [];
  const deadline = Date.now() + TIME_BUDGET_MS;
  let sent = 0;

  const called = new Map<Operation, number>();
  async function one(n: number): Promise<void> {
    // The first rounds go through every route in turn; then they are picked at random.
    const op =
      n < operations.length * COVERAGE ? operations[n % operations.length]! : r.pick(operations);
    called.set(op, (called.get(op) ?? 0) + 1);
    const method = r.next() < 0.05 ? r.pick(["PUT", "PATCH", "DELETE", "GET", "POST"]) : op.method;
    const path = op.path.replace(/\{[a-z_]+\}/g, pathValue);
    const search = new URLSearchParams();
    for (const q of op.query) {
      if (r.next() < 0.5) search.set(q.name, String(sample(q.schema, r)));
    }
    if (r.next() < 0.05) search.set(r.pick(STRINGS), "1");
    const headers: Record<string, string> = {};
    const who = r.int(10);
    if (who < 7) headers.authorization = `Bearer ${server.token}`;
    else if (who === 7) headers.authorization = "Bearer wrong";
    if (r.next() < 0.05) headers.host = "evil.example";
    if (r.next() < 0.05) headers.origin = r.pick(["http://evil.example", "null", "::"]);
    let body: string | undefined;
    if (method !== "GET" && method !== "HEAD" && r.next() < 0.9) {
      const text = JSON.stringify(sample(op.body, r)) ?? "null";
      body = r.next() < 0.35 ? mutate(text, r) : text;
      headers["content-type"] = r.next() < 0.9 ? "application/json" : "text/plain";
    }
    const target = `${path}${search.size ? `?${search}` : ""}`;
    try {
      const res = await fetch(`${server.url}${target}`, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(5000),
      });
      // A stream (events, a run's logs) answers at once and then goes on: its status is enough.
      if (res.headers.get("content-type")?.startsWith("text/event-stream"))
        await res.body?.cancel();
      else await res.arrayBuffer();
      if (res.status >= 500) {
        failures.push(`${method} ${target} ${(body ?? "").slice(0, 200)} -> ${res.status}`);
      }
    } catch (error) {
      // A long poll may wait longer than the client does; anything else must answer.
      if (!/\/claim$/.test(path)) {
        failures.push(`${method} ${target} ${(body ?? "").slice(0, 200)} -> ${error}`);
      }
    }
  }

  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < operations.length * COVERAGE || (sent < REQUESTS && Date.now() < deadline)) {
        await one(sent++);
      }
    }),
  );
  expect(failures, `seed ${seed} (replay with ORCH_FUZZ_SEED=${seed})`).toEqual([]);
  expect(
    operations
      .filter((op) => (called.get(op) ?? 0) < COVERAGE)
      .map((op) => `${op.method} ${op.path}`),
  ).toEqual([]);

  // Healthy after: health answers, and a run can be triggered and completes. (Of a deployment
  // the fuzz never names: a valid request may have paused or removed "echo".)
  expect((await fetch(`${server.url}/api/health`)).status, `seed ${seed}`).toBe(200);
  const run = await client.triggerRun("still-here", { parameters: { n: 7 } });
  const deadlineRun = Date.now() + 10_000;
  let state = run.state;
  while (state !== "COMPLETED" && Date.now() < deadlineRun) {
    await Bun.sleep(50);
    state = (await client.getRun(run.id)).state;
  }
  expect(state, `seed ${seed}`).toBe("COMPLETED");
});
