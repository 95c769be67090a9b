import net from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { connectionBudget } from "../../src/server/fd-limit.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { tempDir } from "../helpers.ts";

/** A server with small caps (and default timeouts), and one with short timeouts. */
let server: OrchServer;
let quick: OrchServer;
const cleanups: (() => void)[] = [];
const warnings: string[] = [];
const sockets: net.Socket[] = [];

async function start(connections: NonNullable<Parameters<typeof startServer>[0]>["connections"]) {
  const t = tempDir();
  cleanups.push(t.cleanup);
  await Bun.write(`${t.dir}/flows/a.yaml`, 'deployments:\n  - name: echo\n    command: ["true"]\n');
  return startServer({
    dir: t.dir,
    port: 0,
    worker: false,
    connections,
    logger: { info() {}, error() {}, warn: (...args) => void warnings.push(args.join(" ")) },
  });
}

beforeAll(async () => {
  server = await start({ total: 12, perAddress: 6 });
  quick = await start({
    headTimeoutMs: 400,
    idleTimeoutMs: 1200,
    bodyTimeoutMs: 300,
    keepAliveMs: 200,
  });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await server.stop();
  await quick.stop();
  for (const c of cleanups) c();
});

/** Open a connection from `from` (a loopback address), send `text`, and track what comes back. */
async function open(from: string, text = "", port = server.port) {
  const socket = net.connect({ host: "127.0.0.1", port, localAddress: from });
  sockets.push(socket);
  const state = { received: "", closed: false };
  socket.on("data", (d) => {
    state.received += d.toString();
  });
  socket.on("close", () => {
    state.closed = true;
  });
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  if (text) socket.write(text);
  return { socket, state };
}

async function until(what: string, ok: () => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await Bun.sleep(20);
  }
}

const health = () => fetch(`${server.url}/api/health`).then((r) => r.status);

test("the budget keeps a quarter of the descriptors for runs and shares the rest", () => {
  expect(connectionBudget(1024, 40)).toEqual({
    total: 242,
    perAddress: 64,
    reserve: 256,
    limit: 1024,
  });
  expect(connectionBudget(20_000, 40)).toMatchObject({ total: 4986, perAddress: 1246 });
  expect(connectionBudget(Number.POSITIVE_INFINITY, 40).total).toBe(10_000);
});

test("one address gets its share: silent connections make room, busy ones are refused with a 503", async () => {
  // A client that opens connections and says nothing holds them only until someone needs room.
  const silent: Awaited<ReturnType<typeof open>>[] = [];
  for (let i = 0; i < 6; i++) silent.push(await open("127.0.0.2"));
  const newcomer = await open(
    "127.0.0.2",
    `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`,
  );
  await until("the newcomer is answered", () => newcomer.state.closed);
  expect(newcomer.state.received).toMatch(/^HTTP\/1.1 200/);
  await until("the oldest silent connection is closed", () => silent[0]!.state.closed);
  expect(silent.slice(1).every((c) => !c.state.closed)).toBe(true);

  // Requests under way (their head sent, waiting for a body) are not dropped for a newcomer.
  const partial = `POST /api/events HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"na`;
  const busy: Awaited<ReturnType<typeof open>>[] = [];
  for (let i = 0; i < 6; i++) busy.push(await open("127.0.0.3", partial));
  await Bun.sleep(50);
  const refused = await open("127.0.0.3", "GET /api/health HTTP/1.1\r\n\r\n");
  await until("the refused one is closed", () => refused.state.closed);
  expect(refused.state.received).toMatch(/^HTTP\/1.1 503/);
  expect(refused.state.received).toMatch(/"code":"E_BUSY".*too many open connections/);
  expect(busy.every((c) => !c.state.closed)).toBe(true);
  expect(warnings.join("\n")).toMatch(
    /too many API connections \(6 from 127.0.0.2, the most one address may hold\)/,
  );

  // Other clients are not affected by the two that hold their share.
  expect(await health()).toBe(200);
  for (const c of [...silent, ...busy]) c.socket.destroy();
});

test("timeouts: no head, a stalled body and an idle connection are closed; a quiet stream is not", async () => {
  const client = createClient({ url: quick.url, token: quick.token });
  const abort = new AbortController();
  const stream = client.streamEvents({ prefix: ["my."] }, abort.signal);
  const first = stream.next();
  const silent = await open("127.0.0.5", "", quick.port);
  const head = `Host: 127.0.0.1:${quick.port}\r\nAuthorization: Bearer ${quick.token}`;
  const stalled = await open(
    "127.0.0.5",
    `POST /api/events HTTP/1.1\r\n${head}\r\nContent-Length: 100\r\n\r\n{`,
    quick.port,
  );
  const kept = await open("127.0.0.5", `GET /api/health HTTP/1.1\r\n${head}\r\n\r\n`, quick.port);
  await until("the silent connection is closed", () => silent.state.closed);
  await until("the stalled body is answered", () => stalled.state.received !== "");
  expect(stalled.state.received).toMatch(/^HTTP\/1.1 408[\s\S]*"code":"E_TIMEOUT"/);
  await until("the kept-alive connection is closed once idle", () => kept.state.closed);
  expect(kept.state.received).toMatch(/^HTTP\/1.1 200/);
  // The stream was quiet all along but for its keep-alive comments: it still delivers.
  await client.emitEvent({ name: "my.thing" });
  const { value } = await first;
  expect(value).toMatchObject({ event: "event", data: { name: "my.thing" } });
  abort.abort();
});
