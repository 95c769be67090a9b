import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { firstDataOf } from "../../src/web/app/first-data.ts";
import { tempDir } from "../helpers.ts";

const FLOWS = `deployments:
  - name: hello
    command: ["echo", "hi"]
`;

let server: OrchServer;
let cleanup: () => void;
let own: string;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  await Bun.write(`${t.dir}/flows/a.yaml`, FLOWS);
  server = await startServer({ dir: t.dir, port: 0, worker: false });
  own = server.url;
});
afterAll(async () => {
  await server.stop();
  cleanup();
});

/** A request as a browser on orch's own page would send it (Host and Origin are the server's). */
function browser(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  return fetch(`${own}${path}`, { redirect: "manual", ...init });
}

/** Log in with a fresh code from `orch up`; the cookie (name=value) and the CSRF token. */
async function logIn(): Promise<{ cookie: string; csrf: string }> {
  const code = new URL(server.loginUrl()).searchParams.get("code")!;
  const res = await browser(`/login?code=${code}`);
  expect(res.status).toBe(303);
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  const session = await browser("/web/session", { headers: { cookie } });
  expect(session.status).toBe(200);
  const { csrf_token } = (await session.json()) as { csrf_token: string };
  return { cookie, csrf: csrf_token };
}

describe("logging in", () => {
  test("a login code becomes an HttpOnly, SameSite=Strict cookie for this server, once", async () => {
    const url = new URL(server.loginUrl());
    expect(`${url.protocol}//${url.host}`).toBe(own);
    expect(url.pathname).toBe("/login");
    const res = await browser(`/login?code=${url.searchParams.get("code")}`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/deployments");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(new RegExp(`^orch_session_${server.port}=`));
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toMatch(/Domain=/i);
    // The same code again: refused, with what to do.
    const again = await browser(`/login?code=${url.searchParams.get("code")}`);
    expect(again.status).toBe(403);
    expect(await again.text()).toContain("orch open");
  });

  test("a made-up code or a forged cookie logs nobody in", async () => {
    expect((await browser("/login?code=guess")).status).toBe(403);
    const forged = `orch_session_${server.port}=${Date.now() + 1e9}.abc.def`;
    const res = await browser("/api/deployments", { headers: { cookie: forged } });
    expect(res.status).toBe(401);
  });

  test("orch open's route gives a code to whoever holds the token, and to nobody else", async () => {
    const client = createClient({ url: own, token: server.token });
    const { code, login_path } = await client.createLoginCode();
    expect(login_path).toBe(`/login?code=${code}`);
    expect((await browser(login_path)).status).toBe(303);
    expect((await browser("/api/web/login-codes", { method: "POST" })).status).toBe(401);
  });
});

describe("a logged-in browser", () => {
  test("reads the API and the event stream with its cookie alone", async () => {
    const { cookie } = await logIn();
    const res = await browser("/api/deployments", { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { name: string }[]).map((d) => d.name)).toEqual(["hello"]);
    const abort = new AbortController();
    const stream = await browser("/api/events/stream", {
      headers: { cookie },
      signal: abort.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    abort.abort();
  });

  test("changes things only from its own origin and with its CSRF token", async () => {
    const { cookie, csrf } = await logIn();
    const pause = (headers: Record<string, string>) =>
      browser("/api/deployments/hello/pause", { method: "POST", headers: { cookie, ...headers } });
    const noToken = await pause({ origin: own });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { error: { message: string } }).error.message).toContain(
      "CSRF",
    );
    const noOrigin = await pause({ "x-orch-csrf": csrf });
    expect(noOrigin.status).toBe(403);
    const foreign = await pause({ origin: "http://evil.example", "x-orch-csrf": csrf });
    expect(foreign.status).toBe(403);
    const wrong = await pause({ origin: own, "x-orch-csrf": `${csrf}x` });
    expect(wrong.status).toBe(403);
    const ok = await pause({ origin: own, "x-orch-csrf": csrf });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { paused: boolean }).paused).toBe(true);
    // Another session's CSRF token is not this one's.
    const other = await logIn();
    const mixed = await browser("/api/deployments/hello/resume", {
      method: "POST",
      headers: { cookie, origin: own, "x-orch-csrf": other.csrf },
    });
    expect(mixed.status).toBe(403);
  });

  test("a request addressed to another host name is refused, pages too (DNS rebinding)", async () => {
    const { cookie } = await logIn();
    for (const path of ["/", "/api/deployments", "/web/session"]) {
      const res = await browser(path, { headers: { cookie, host: `evil.example:${server.port}` } });
      expect(res.status).toBe(403);
    }
  });

  test("logging out ends the session on the server: its cookie replayed reads nothing, its stream ends", async () => {
    const { cookie, csrf } = await logIn();
    const other = await logIn();
    const abort = new AbortController();
    const stream = await browser("/api/events/stream", {
      headers: { cookie },
      signal: abort.signal,
    });
    expect(stream.status).toBe(200);
    const res = await browser("/web/session", {
      method: "DELETE",
      headers: { cookie, origin: own, "x-orch-csrf": csrf },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toContain("Max-Age=0");
    // The stream it opened before is ended by the server (read to its end, no abort needed).
    await stream.text();
    for (const path of ["/api/deployments", "/api/events/stream", "/web/session"]) {
      expect((await browser(path, { headers: { cookie } })).status).toBe(401);
    }
    const page = await browser("/", { headers: { cookie } });
    expect(await page.text()).not.toContain('id="orch-session"');
    const pause = await browser("/api/deployments/hello/pause", {
      method: "POST",
      headers: { cookie, origin: own, "x-orch-csrf": csrf },
    });
    expect(pause.status).toBe(401);
    // Another browser's session goes on.
    expect((await browser("/api/deployments", { headers: { cookie: other.cookie } })).status).toBe(
      200,
    );
    abort.abort();
  });

  test("the page carries its session's CSRF token only for a valid session cookie, and is never stored", async () => {
    const { cookie, csrf } = await logIn();
    const page = await browser("/", { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    const html = await page.text();
    const data = /<script type="application\/json" id="orch-session">([^<]*)<\/script>/.exec(html);
    expect(JSON.parse(data![1]!).csrf_token).toBe(csrf);
    // Its inline boot script and styles are allowed by hash, nothing else inline.
    const policy = page.headers.get("content-security-policy")!;
    expect(policy).toMatch(/script-src 'self' 'sha256-[\w+/=]+';/);
    expect(policy).not.toContain("unsafe-inline");
    // No cookie, a forged one, or another port's: the page holds no token.
    const forged = `orch_session_${server.port}=${Date.now() + 1e9}.abc.def`;
    const otherPort = `orch_session_${server.port + 1}=${cookie.split("=")[1]}`;
    for (const headers of [{}, { cookie: forged }, { cookie: otherPort }] as Record<
      string,
      string
    >[]) {
      const res = await browser("/", { headers });
      expect(res.headers.get("cache-control")).toBe("no-store");
      const text = await res.text();
      expect(text).not.toContain('id="orch-session"');
      expect(text).not.toContain(csrf);
    }
  });
});

describe("a page's address", () => {
  test("is drawn with its data only for a valid session, with the same headers as the page", async () => {
    const { cookie } = await logIn();
    const client = createClient({ url: own, token: server.token });
    const run = await client.triggerRun("hello", {});
    const policy = (await browser("/")).headers.get("content-security-policy");
    const forged = `orch_session_${server.port}=${Date.now() + 1e9}.abc.def`;
    for (const path of ["/runs?state=COMPLETED", `/runs/${run.id}`, "/deployments"]) {
      const mine = await browser(path, { headers: { cookie } });
      expect(mine.status).toBe(200);
      expect(mine.headers.get("cache-control")).toBe("no-store");
      expect(mine.headers.get("content-security-policy")).toBe(policy);
      expect(await mine.text()).toContain('id="orch-first-data"');
      for (const headers of [{}, { cookie: forged }] as Record<string, string>[]) {
        const res = await browser(path, { headers });
        expect(res.status).toBe(200);
        expect(res.headers.get("content-security-policy")).toBe(policy);
        const html = await res.text();
        expect(html).not.toContain('id="orch-first-data"');
        expect(html).not.toContain(run.id);
        expect(html).toContain('<div id="app"></div>');
      }
    }
    // Anything else is the API's, as before.
    const other = await browser("/runs-and-more", {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect(other.status).toBe(404);
  });
});

describe("ending every session", () => {
  test("only the token's holder may; then no cookie made before works, a new login does", async () => {
    const a = await logIn();
    const b = await logIn();
    expect((await browser("/api/web/sessions", { method: "DELETE" })).status).toBe(401);
    // A browser's own session is not enough without its page's CSRF token.
    const noCsrf = await browser("/api/web/sessions", {
      method: "DELETE",
      headers: { cookie: a.cookie, origin: own },
    });
    expect(noCsrf.status).toBe(403);
    const client = createClient({ url: own, token: server.token });
    expect(await client.endWebSessions()).toEqual({ ended: true });
    for (const { cookie } of [a, b]) {
      expect((await browser("/api/deployments", { headers: { cookie } })).status).toBe(401);
    }
    const c = await logIn();
    expect((await browser("/api/deployments", { headers: { cookie: c.cookie } })).status).toBe(200);
  });
});

describe("the deployments page's listing", () => {
  test("?last_runs=N adds each deployment's latest runs, as the runs listing has them", async () => {
    const client = createClient({ url: own, token: server.token });
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await client.triggerRun("hello", {}));
    const get = async (path: string) =>
      (await (
        await fetch(`${own}${path}`, { headers: { authorization: `Bearer ${server.token}` } })
      ).json()) as { name: string; last_runs?: { id: string }[] }[];
    const [hello] = await get("/api/deployments?last_runs=2");
    const listed = (await get("/api/runs?deployment=hello&limit=2")) as unknown as { id: string }[];
    expect(hello!.last_runs!.map((r) => r.id)).toEqual(listed.map((r) => r.id));
    expect(hello!.last_runs).toHaveLength(2);
    const [plain] = await get("/api/deployments");
    expect(plain).not.toHaveProperty("last_runs");
    const bad = await fetch(`${own}/api/deployments?last_runs=0`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect(bad.status).toBe(400);
    expect(runs).toHaveLength(3);
  });
});

describe("without a session", () => {
  test("nothing is readable: the API, the stream, the session", async () => {
    for (const path of ["/api/deployments", "/api/runs", "/api/events/stream", "/web/session"]) {
      expect((await browser(path)).status).toBe(401);
    }
  });

  test("what the page asks for first is refused too", async () => {
    const client = createClient({ url: own, token: server.token });
    const run = await client.triggerRun("hello", {});
    // Exactly what the boot script asks for on each page that reads data at once.
    const first = ["#/deployments", "#/runs?state=FAILED", `#/runs/${run.id}`].flatMap(firstDataOf);
    expect(first).toHaveLength(6);
    for (const path of first) expect((await browser(path)).status).toBe(401);
    const forged = `orch_session_${server.port}=${Date.now() + 1e9}.abc.def`;
    for (const path of first) {
      expect((await browser(path, { headers: { cookie: forged } })).status).toBe(401);
    }
  });

  test("the page itself loads (it holds no data) with a strict content policy", async () => {
    const res = await browser("/", { headers: { "accept-encoding": "gzip" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    const html = await res.text();
    // The app's script, named by the boot script that loads it.
    const script = /<script data-app="(\/assets\/[^"]+\.js)">/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await browser(script!);
    expect(js.status).toBe(200);
    expect(js.headers.get("cache-control")).toContain("immutable");
  });

  test("the API's token still works as before", async () => {
    const res = await fetch(`${own}/api/deployments`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect(res.status).toBe(200);
  });
});
