import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import Ajv from "ajv";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createClient, readSse } from "../../src/client/index.ts";
import { DEFINITION_SCHEMA } from "../../src/definitions/schema.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { tempDir } from "../helpers.ts";

const FLOWS = `deployments:
  - name: on-hook
    command: ["echo", "{{ parameters.ref }}"]
    parameters: { ref: none }
    triggers:
      - on: webhook.deploy
        parameters: { ref: "{{ event.payload.ref }}" }
  - name: echo
    command: ["echo", "{{ parameters.n }}"]
    parameters: { n: 1 }
    parameter_schema:
      type: object
      properties: { n: { type: integer, minimum: 0 } }
      additionalProperties: false
`;

let server: OrchServer;
let cleanup: () => void;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  await Bun.write(`${t.dir}/flows/a.yaml`, FLOWS);
  server = await startServer({ dir: t.dir, port: 0, worker: false });
});
afterAll(async () => {
  await server.stop();
  cleanup();
});

/** Send raw HTTP, so tests can set any Host and Origin. */
async function http(method: string, path: string, headers: Record<string, string> = {}, body = "") {
  const lines = [
    `${method} ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${server.port}`,
    "Connection: close",
  ];
  const all: Record<string, string> = { ...headers };
  if (body) all["Content-Length"] = String(Buffer.byteLength(body));
  const hostOverride = Object.keys(all).find((k) => k.toLowerCase() === "host");
  if (hostOverride) lines[1] = `Host: ${all[hostOverride]}`;
  for (const [k, v] of Object.entries(all))
    if (k.toLowerCase() !== "host") lines.push(`${k}: ${v}`);
  const request = `${lines.join("\r\n")}\r\n\r\n${body}`;
  let raw = "";
  await new Promise<void>((resolve, reject) => {
    Bun.connect({
      hostname: "127.0.0.1",
      port: server.port,
      socket: {
        open: (s) => void s.write(request),
        data: (_s, d) => {
          raw += d.toString();
        },
        close: () => resolve(),
        error: (_s, e) => reject(e),
      },
    });
  });
  const [head, ...rest] = raw.split("\r\n\r\n");
  const status = Number(head!.split(" ")[1]);
  const text = rest.join("\r\n\r\n");
  const jsonStart =
    text.indexOf("{") === -1
      ? text.indexOf("[")
      : Math.min(...[text.indexOf("{"), text.indexOf("[")].filter((i) => i >= 0));
  let json: unknown = null;
  try {
    json = JSON.parse(
      text.slice(jsonStart, text.lastIndexOf(text.trim().endsWith("]") ? "]" : "}") + 1),
    );
  } catch {}
  return {
    status,
    json: json as {
      error?: { code: string; message: string; problems?: { where: string; message: string }[] };
    },
  };
}

const auth = () => ({
  Authorization: `Bearer ${server.token}`,
  "Content-Type": "application/json",
});
const countRuns = () =>
  (
    rawSqliteForTests(server.store).query("SELECT count(*) AS n FROM flow_runs").get() as {
      n: number;
    }
  ).n;

describe("local security", () => {
  test("every route but health needs the token, reads too; the 401 says where the token is", async () => {
    expect((await http("GET", "/api/health")).status).toBe(200);
    for (const path of [
      "/api/deployments",
      "/api/runs",
      "/api/events",
      "/api/events/stream",
      "/api/workers",
      "/api/openapi.json",
      "/api/bundles/x",
      "/api/nope",
    ]) {
      const read = await http("GET", path);
      expect([path, read.status, read.json.error?.code]).toEqual([path, 401, "E_UNAUTHORIZED"]);
      expect(read.json.error?.message).toMatch(/\.orch\/token.*--token or ORCH_API_TOKEN/);
    }
    expect((await http("GET", "/api/deployments", { Authorization: "Bearer nope" })).status).toBe(
      401,
    );
    expect((await http("GET", "/api/deployments", auth())).status).toBe(200);
    const none = await http(
      "POST",
      "/api/deployments/echo/runs",
      { "Content-Type": "application/json" },
      "{}",
    );
    expect(none.status).toBe(401);
    expect(none.json.error?.code).toBe("E_UNAUTHORIZED");
    expect(none.json.error?.message).toMatch(/\.orch\/token/);
    const wrong = await http(
      "POST",
      "/api/deployments/echo/runs",
      { Authorization: "Bearer nope" },
      "{}",
    );
    expect(wrong.status).toBe(401);
    const ok = await http("POST", "/api/deployments/echo/runs", auth(), "{}");
    expect(ok.status).toBe(201);
  });

  test("a Host that is not this server is refused (DNS rebinding)", async () => {
    const r = await http("GET", "/api/deployments", {
      ...auth(),
      Host: `evil.example:${server.port}`,
    });
    expect(r.status).toBe(403);
    expect(r.json.error?.code).toBe("E_FORBIDDEN");
    expect((await http("GET", "/api/health", { Host: `localhost:${server.port}` })).status).toBe(
      200,
    );
  });

  test("a cross-origin request is refused even with the token", async () => {
    const before = countRuns();
    const r = await http(
      "POST",
      "/api/deployments/echo/runs",
      { ...auth(), Origin: "http://evil.example" },
      "{}",
    );
    expect(r.status).toBe(403);
    const site = await http(
      "POST",
      "/api/deployments/echo/runs",
      { ...auth(), "Sec-Fetch-Site": "cross-site" },
      "{}",
    );
    expect(site.status).toBe(403);
    expect(countRuns()).toBe(before);
    const same = await http(
      "POST",
      "/api/deployments/echo/runs",
      { ...auth(), Origin: `http://127.0.0.1:${server.port}` },
      "{}",
    );
    expect(same.status).toBe(201);
  });

  test("bound to a non-loopback address, every request needs the token", async () => {
    const t = tempDir();
    const open = await startServer({ dir: t.dir, port: 0, host: "0.0.0.0", worker: false });
    try {
      const anon = await fetch(`http://127.0.0.1:${open.port}/api/health`);
      expect(anon.status).toBe(401);
      const ok = await fetch(`http://127.0.0.1:${open.port}/api/health`, {
        headers: { Authorization: `Bearer ${open.token}` },
      });
      expect(ok.status).toBe(200);
      // Its own clients and runs use loopback (0.0.0.0 names no machine); other machines get
      // this machine's addresses, each of which answers.
      expect(open.url).toBe(`http://127.0.0.1:${open.port}`);
      const server = JSON.parse(readFileSync(join(t.dir, ".orch/server.json"), "utf8"));
      expect(server.url).toBe(open.url);
      const outside = Object.values(networkInterfaces())
        .flat()
        .filter((a) => a && !a.internal && a.family === "IPv4")
        .map((a) => `http://${a!.address}:${open.port}`);
      expect(open.reachableAt).toEqual(outside);
      for (const url of open.reachableAt) {
        const there = await fetch(`${url}/api/health`, {
          headers: { Authorization: `Bearer ${open.token}` },
        });
        expect(there.status).toBe(200);
      }
    } finally {
      await open.stop();
      t.cleanup();
    }
  });

  test("bound to one address, a server is reached there alone", async () => {
    const t = tempDir();
    const one = await startServer({ dir: t.dir, port: 0, worker: false });
    try {
      expect(one.url).toBe(`http://127.0.0.1:${one.port}`);
      expect(one.reachableAt).toEqual([]);
    } finally {
      await one.stop();
      t.cleanup();
    }
  });
});

describe("bad input", () => {
  test("malformed JSON, wrong types and schema violations get a 400 saying where, and create nothing", async () => {
    const before = countRuns();
    const malformed = await http("POST", "/api/deployments/echo/runs", auth(), "{parameters:");
    expect(malformed.status).toBe(400);
    expect(malformed.json.error?.message).toMatch(/not valid JSON/);

    const types = await http(
      "POST",
      "/api/deployments/echo/runs",
      auth(),
      JSON.stringify({ parameters: [], tags: "x", extra: 1 }),
    );
    expect(types.status).toBe(400);
    expect(types.json.error?.problems).toEqual(
      expect.arrayContaining([
        { where: "parameters", message: "must be an object, not []" },
        { where: "tags", message: 'must be an array, not "x"' },
        { where: "extra", message: "unknown key" },
      ]),
    );

    const schema = await http(
      "POST",
      "/api/deployments/echo/runs",
      auth(),
      JSON.stringify({ parameters: { n: -1, m: 2 } }),
    );
    expect(schema.status).toBe(400);
    expect(schema.json.error?.problems).toEqual(
      expect.arrayContaining([
        { where: "parameters.n", message: "must be >= 0" },
        { where: "parameters.m", message: "is not in the parameter schema" },
      ]),
    );
    const unknown = await http("POST", "/api/deployments/nope/runs", auth(), "{}");
    expect(unknown.status).toBe(404);
    expect(countRuns()).toBe(before);
  });

  test("a burst of random bodies and paths leaves the server healthy and writes nothing", async () => {
    const before = countRuns();
    const junk = [
      "",
      "null",
      "[]",
      "1",
      '"x"',
      "{",
      '{"parameters": null}',
      '{"parameters": {"n": "x"}}',
      "\u0000\u0001",
      "{}".repeat(1000),
    ];
    const paths = [
      "/api/deployments/echo/runs",
      "/api/runs/%zz/cancel",
      "/api/events",
      "/api/nope",
      "/api/runs/../../etc/passwd",
    ];
    const requests: Promise<{ status: number }>[] = [];
    for (let i = 0; i < 200; i++) {
      const body = junk[i % junk.length]! + (i % 3 ? String(Math.random()) : "");
      requests.push(http("POST", paths[i % paths.length]!, auth(), body));
    }
    const statuses = (await Promise.all(requests)).map((r) => r.status);
    const odd = statuses
      .map((s, i) => [s, paths[i % paths.length]])
      .filter(([s]) => !(s === 201 || (Number(s) >= 400 && Number(s) < 500)));
    expect(odd).toEqual([]);
    const created = statuses.filter((s) => s === 201).length;
    const events = statuses.filter(
      (s, i) => s === 201 && paths[i % paths.length] === "/api/events",
    ).length;
    expect(countRuns()).toBe(before + created - events);
    expect((await http("GET", "/api/health")).status).toBe(200);
  });
});

describe("events", () => {
  test("orch's own event names cannot be emitted by a client", async () => {
    for (const name of [
      "flow-run.completed",
      "deployment.created",
      "webhook.x",
      "work-pool.updated",
      "file.arrived",
      "project.loaded",
    ]) {
      const r = await http("POST", "/api/events", auth(), JSON.stringify({ name }));
      expect(r.status).toBe(400);
      expect(r.json.error?.problems?.[0]?.message).toMatch(/orch emits those/);
    }
    expect(
      (await http("POST", "/api/events", auth(), JSON.stringify({ name: "my.thing" }))).status,
    ).toBe(201);
  });
});

describe("webhooks", () => {
  test("POST /hooks/:slug needs the token, records webhook.<slug> and starts the deployments it triggers", async () => {
    expect((await http("POST", "/hooks/deploy", {}, '{"ref":"main"}')).status).toBe(401);
    const hook = await http("POST", "/hooks/deploy", auth(), '{"ref":"main"}');
    expect(hook.status).toBe(202);
    expect(hook.json).toMatchObject({
      name: "webhook.deploy",
      resource: "deploy",
      payload: { ref: "main" },
    });
    const client = createClient({ url: server.url, token: server.token });
    // The triggers handle events from a queue, right after the request that recorded them.
    let runs = (await client.listRuns({ deployment: "on-hook" })).runs;
    for (let i = 0; i < 50 && !runs.length; i++) {
      await Bun.sleep(10);
      runs = (await client.listRuns({ deployment: "on-hook" })).runs;
    }
    expect(runs.map((r) => [r.created_by, r.parameters])).toEqual([["trigger", { ref: "main" }]]);
    expect((await http("POST", "/hooks/../etc", auth(), "{}")).status).toBeGreaterThanOrEqual(400);
  });
});

describe("lists and the stream", () => {
  test("runs paginate with a cursor, newest first, each run once", async () => {
    const client = createClient({ url: server.url, token: server.token });
    for (let i = 0; i < 60; i++)
      await client.triggerRun("echo", { parameters: { n: i }, tags: i % 2 ? ["odd"] : [] });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await client.listRuns({ deployment: "echo", limit: 25, cursor });
      seen.push(...page.runs.map((r) => r.id));
      if (!page.next) break;
      cursor = page.next;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(
      (
        rawSqliteForTests(server.store)
          .query("SELECT count(*) AS n FROM flow_runs WHERE deployment = 'echo'")
          .get() as { n: number }
      ).n,
    );
    const odd = await client.listRuns({ tag: "odd", limit: 100 });
    expect(odd.runs).toHaveLength(30);
    expect(odd.runs.every((r) => r.tags.includes("odd"))).toBe(true);
    const bad = await http("GET", "/api/runs?state=DONE", auth());
    expect(bad.status).toBe(400);
    const future = await client.listRuns({ since: new Date(Date.now() + 60_000).toISOString() });
    expect(future.runs).toEqual([]);
    const past = await client.listRuns({
      until: new Date(Date.now() + 60_000).toISOString(),
      limit: 1000,
    });
    expect(past.runs.length).toBe(countRuns());
    const later = await client.triggerRun("echo", {
      scheduled_at: new Date(Date.now() + 3_600_000).toISOString(),
    } as never);
    expect((await client.listRuns({ limit: 1 })).runs[0]?.id).toBe(later.id);
    const limit = await http("GET", "/api/runs?limit=abc", auth());
    expect(limit.json.error?.problems).toEqual([
      { where: "limit", message: 'must be an integer, not "abc"' },
    ]);
    const badTime = await http("GET", "/api/runs?since=yesterday", auth());
    expect(badTime.json.error?.problems).toEqual([
      { where: "since", message: '"yesterday" is not an ISO time' },
    ]);
  });

  test("the live stream delivers state changes as they happen, and replays what was missed", async () => {
    const client = createClient({ url: server.url, token: server.token });
    const abort = new AbortController();
    let opened = () => {};
    const open = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const stream = client.streamEvents({ prefix: ["flow-run."], onOpen: opened }, abort.signal);
    const first = stream.next();
    await open;
    const run = await client.triggerRun("echo", { parameters: { n: 7 } });
    // Runs of earlier tests may still be changing: take the first event of this run.
    let { value } = await first;
    while ((value as { data: { resource?: string } }).data.resource !== run.id) {
      ({ value } = await stream.next());
    }
    expect(value).toMatchObject({
      event: "event",
      data: { name: "flow-run.scheduled", resource: run.id },
    });
    const id = Number((value as { id: string }).id);
    abort.abort();

    await client.triggerRun("echo", { parameters: { n: 8 } });
    const replay = client.streamEvents({ prefix: ["flow-run."], after: id });
    const next = await replay.next();
    expect(next.value).toMatchObject({ data: { name: "flow-run.scheduled" } });
    expect(Number((next.value as { id: string }).id)).toBeGreaterThan(id);
    await replay.return(undefined);
    void readSse;
  });
});

test("the OpenAPI document describes every route with the schemas the server checks", async () => {
  const headers = { Authorization: `Bearer ${server.token}` };
  const doc = (await (await fetch(`${server.url}/api/openapi.json`, { headers })).json()) as {
    openapi: string;
    paths: Record<
      string,
      Record<
        string,
        {
          requestBody?: { content: Record<string, { schema: unknown }> };
          parameters?: { name: string }[];
        }
      >
    >;
  };
  expect(doc.openapi).toBe("3.1.0");
  for (const path of [
    "/api/health",
    "/api/deployments",
    "/api/deployments/{name}",
    "/api/runs",
    "/api/runs/{id}",
    "/api/runs/{id}/logs",
    "/api/events",
    "/api/events/stream",
  ]) {
    expect(doc.paths).toHaveProperty([path]);
  }
  const trigger = doc.paths["/api/deployments/{name}/runs"]!.post!;
  expect(trigger.requestBody?.content["application/json"]?.schema).toMatchObject({
    properties: { parameters: { type: "object" } },
  });
  expect(doc.paths["/api/runs"]!.get!.parameters!.map((p) => p.name)).toEqual([
    "deployment",
    "state",
    "tag",
    "limit",
    "cursor",
    "since",
    "until",
    "planned",
    "q",
    "order",
  ]);
  // A query parameter that the document does not list is refused.
  const typo = await fetch(`${server.url}/api/runs?limt=5`, { headers });
  expect(typo.status).toBe(400);
  expect(await typo.json()).toMatchObject({
    error: { problems: [{ where: "limt", message: "is not a query parameter of this route" }] },
  });
});

test("orch's own schemas (every route's query and body, the definition files') are valid JSON Schemas", async () => {
  // The server compiles them without checking them against the meta-schema (a stall of the
  // server's thread at its first request otherwise): this is where they are checked.
  const headers = { Authorization: `Bearer ${server.token}` };
  const doc = (await (await fetch(`${server.url}/api/openapi.json`, { headers })).json()) as {
    paths: Record<
      string,
      Record<
        string,
        {
          requestBody?: { content: Record<string, { schema: object }> };
          parameters?: { schema: object }[];
        }
      >
    >;
  };
  const ajv = new Ajv({ strict: false });
  const schemas: object[] = [DEFINITION_SCHEMA];
  for (const operations of Object.values(doc.paths)) {
    for (const op of Object.values(operations)) {
      for (const p of op.parameters ?? []) schemas.push(p.schema);
      for (const c of Object.values(op.requestBody?.content ?? {})) schemas.push(c.schema);
    }
  }
  expect(schemas.length).toBeGreaterThan(20);
  for (const schema of schemas) {
    ajv.validateSchema(schema);
    expect(ajv.errors ?? [], JSON.stringify(schema)).toEqual([]);
  }
});
