import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
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
    expect(res.headers.get("location")).toBe("/#/deployments");
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

  test("logging out ends the session's cookie", async () => {
    const { cookie, csrf } = await logIn();
    const res = await browser("/web/session", {
      method: "DELETE",
      headers: { cookie, origin: own, "x-orch-csrf": csrf },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toContain("Max-Age=0");
  });
});

describe("without a session", () => {
  test("nothing is readable: the API, the stream, the session", async () => {
    for (const path of ["/api/deployments", "/api/runs", "/api/events/stream", "/web/session"]) {
      expect((await browser(path)).status).toBe(401);
    }
  });

  test("the page itself loads (it holds no data) with a strict content policy", async () => {
    const res = await browser("/", { headers: { "accept-encoding": "gzip" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    const html = await res.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
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
