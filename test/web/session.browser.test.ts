import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Client, createClient } from "../../src/client/index.ts";
import { orch, spawnOrch, tempDir } from "../helpers.ts";
import { haveChromium, launchBrowser, screenshot } from "./browser.ts";

// A browser's session on the compiled binary: what a page asks for before the app runs, the
// deployments page's one request, logging out, and orch logout ending every session.
describe.skipIf(!haveChromium)("web sessions and first data in chromium", () => {
  let project: ReturnType<typeof tempDir>;
  let up: ReturnType<typeof spawnOrch>;
  let browser: Browser;
  let base: string;
  let client: Client;
  let runId: string;

  /** A fresh browser (cold cache, no cookie), logged in with a new code unless `loggedIn` is false. */
  async function newBrowser(loggedIn = true): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    if (loggedIn) {
      const { login_path } = await client.createLoginCode();
      const page = await context.newPage();
      await page.goto(`${base}${login_path}`);
      await page.getByTestId("live-status").getByText("online").waitFor();
      await page.close();
    }
    return context;
  }

  /** Every API request `page` makes, with the status it got. */
  function apiCalls(page: Page): { path: string; status: number }[] {
    const calls: { path: string; status: number }[] = [];
    page.on("response", (res) => {
      const url = new URL(res.url());
      if (url.pathname.startsWith("/api/")) {
        calls.push({ path: url.pathname + url.search, status: res.status() });
      }
    });
    return calls;
  }

  const sessionCookie = async (context: BrowserContext) =>
    (await context.cookies()).find((c) => c.name.startsWith("orch_session_"))!;

  beforeAll(async () => {
    project = tempDir("orch-web-session-");
    expect((await orch(["init", project.dir])).code).toBe(0);
    up = spawnOrch(["up", "--headless", "--port", "0", "--dir", project.dir]);
    await up.waitFor("web UI: ", 20_000);
    base = new URL(/web UI: (\S+)/.exec(up.stderr)![1]!).origin;
    const token = readFileSync(join(project.dir, ".orch", "token"), "utf8").trim();
    client = createClient({ url: base, token });
    runId = (await client.triggerRun("hello", {})).id;
    const deadline = Date.now() + 20_000;
    while ((await client.getRun(runId)).state !== "COMPLETED" && Date.now() < deadline) {
      await Bun.sleep(50);
    }
    expect((await client.getRun(runId)).state).toBe("COMPLETED");
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    up?.proc.kill("SIGTERM");
    await up?.proc.exited;
    project?.cleanup();
  });

  test("without a session, a page asks for no data early and gets none: every API answer is 401", async () => {
    const stranger = await newBrowser(false);
    // A forged cookie of this server's name: no better than none.
    await stranger.addCookies([
      {
        name: `orch_session_${new URL(base).port}`,
        value: `${Date.now() + 1e9}.abc.def`,
        url: base,
      },
    ]);
    for (const hash of ["#/runs", `#/runs/${runId}`, "#/deployments"]) {
      const page = await stranger.newPage();
      const calls = apiCalls(page);
      await page.goto(`${base}/${hash}`);
      await page.getByText("not logged in").waitFor();
      expect(await page.locator("nav").count()).toBe(0);
      expect(await page.content()).not.toContain(runId);
      expect(calls.filter((c) => c.status !== 401)).toEqual([]);
      await page.close();
    }
    await stranger.close();
  });

  test("a run's page draws its logs from the first data", async () => {
    const context = await newBrowser();
    const page = await context.newPage();
    const calls = apiCalls(page);
    await page.goto(`${base}/#/runs/${runId}`);
    await page.getByTestId("log-view").locator(".log-line").first().waitFor();
    // The run and its lines come with the page the server drew, or from one request each of the
    // boot script: the lines are never asked for twice.
    expect(
      calls.filter((c) => c.path.startsWith(`/api/runs/${runId}/logs?limit=`)).length,
    ).toBeLessThanOrEqual(1);
    await context.close();
  });

  test("a runs page with a time range asks for its listing by one path: the boot script's answer is used", async () => {
    const context = await newBrowser();
    const page = await context.newPage();
    const calls = apiCalls(page);
    await page.goto(`${base}/#/runs?range=24h`);
    await page.getByTestId("run-row").first().waitFor();
    await page.getByTestId("live-status").getByText("online").waitFor();
    const listings = new Set(
      calls.filter((c) => c.path.startsWith("/api/runs?")).map((c) => c.path),
    );
    expect([...listings]).toHaveLength(1);
    expect([...listings][0]).toMatch(/since=/);
    await context.close();
  });

  test("the deployments page reads every row's last runs in one request", async () => {
    const context = await newBrowser();
    const page = await context.newPage();
    const calls = apiCalls(page);
    await page.goto(`${base}/#/deployments`);
    await page.getByTestId("last-runs-hello").locator(".dot.state-completed").first().waitFor();
    await page.getByTestId("deployment-etl").waitFor();
    expect(calls.filter((c) => c.path.startsWith("/api/runs?"))).toEqual([]);
    // The page's first data is in the page the server drew; any listing read since (a live
    // update) reads every row's last runs with it, in one request.
    const listings = calls.filter((c) => c.path.startsWith("/api/deployments"));
    for (const call of listings) expect(call.path).toBe("/api/deployments?last_runs=10");
    await context.close();
  });

  test("Log out ends this browser's session on the server: its cookie replayed reads nothing", async () => {
    const context = await newBrowser();
    const other = await newBrowser();
    const page = await context.newPage();
    await page.goto(`${base}/#/runs`);
    await page.getByTestId("run-row").first().waitFor();
    const cookie = await sessionCookie(context);
    await page.getByTestId("logout").click();
    await page.getByText("not logged in").waitFor();
    await screenshot(page, "logged-out");
    // The cookie as it was, sent again (a copy taken before the logout): refused.
    const replayed = await fetch(`${base}/api/runs`, {
      headers: { cookie: `${cookie.name}=${cookie.value}` },
    });
    expect(replayed.status).toBe(401);
    await page.reload();
    await page.getByText("not logged in").waitFor();
    // Another browser's session goes on.
    const still = await other.newPage();
    await still.goto(`${base}/#/runs`);
    await still.getByTestId("run-row").first().waitFor();
    await context.close();
    await other.close();
  });

  test("orch logout ends every session, open pages too, and they stay ended after a restart", async () => {
    const a = await newBrowser();
    const b = await newBrowser();
    const pages = [await a.newPage(), await b.newPage()];
    for (const page of pages) {
      await page.goto(`${base}/#/deployments`);
      await page.getByTestId("live-status").getByText("online").waitFor();
    }
    const cookies = [await sessionCookie(a), await sessionCookie(b)];
    const ended = await orch(["logout", "--dir", project.dir]);
    expect(ended.code).toBe(0);
    expect(ended.stderr).toContain("orch open");
    // The open pages lose their stream, find the session gone, and say how to log in.
    for (const page of pages) await page.getByText("not logged in").waitFor({ timeout: 20_000 });
    const refused = async () => {
      for (const c of cookies) {
        const res = await fetch(`${base}/api/deployments`, {
          headers: { cookie: `${c.name}=${c.value}` },
        });
        expect(res.status).toBe(401);
      }
    };
    await refused();
    // A session made now, then ended with no server running: still ended when orch up starts.
    const c = await newBrowser();
    const later = await sessionCookie(c);
    up.proc.kill("SIGTERM");
    await up.proc.exited;
    expect((await orch(["logout", "--dir", project.dir])).code).toBe(0);
    up = spawnOrch(["up", "--headless", "--port", new URL(base).port, "--dir", project.dir]);
    await up.waitFor("web UI: ", 20_000);
    await refused();
    const res = await fetch(`${base}/api/deployments`, {
      headers: { cookie: `${later.name}=${later.value}` },
    });
    expect(res.status).toBe(401);
    // A fresh login works.
    const d = await newBrowser();
    const page = await d.newPage();
    await page.goto(`${base}/#/deployments`);
    await page.getByTestId("deployment-hello").waitFor();
    for (const context of [a, b, c, d]) await context.close();
    // Four browsers and a restart of orch up: well within a minute, not always within 30 s.
  }, 60_000);
});
