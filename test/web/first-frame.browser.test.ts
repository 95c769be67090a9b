import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Cookie } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { spawnOrch, tempDir } from "../helpers.ts";
import { haveChromium, launchBrowser } from "./browser.ts";
import { seedRuns } from "./seed-runs.ts";

/** A run name and a parameter that would end the page's JSON element if written as they are. */
const HOSTILE = "</script><script>window.__pwned=1</script><!--";

// A page's first frame drawn by the server (the compiled binary) and taken over by the app.
describe.skipIf(!haveChromium)("a page's first frame from the server, in chromium", () => {
  let project: ReturnType<typeof tempDir>;
  let up: ReturnType<typeof spawnOrch>;
  let browser: Browser;
  let cookies: Cookie[];
  let base: string;
  let hostileRun: string;

  beforeAll(async () => {
    project = tempDir("orch-web-first-frame-");
    // No schedule: the runs are the seeded ones and the one below, and stay so.
    await Bun.write(
      join(project.dir, "flows", "hello.yaml"),
      `deployments:\n  - name: hello\n    command: ["echo", "hello, {{ parameters.name }}"]\n    parameters: { name: world }\n`,
    );
    seedRuns(project.dir, 300);
    up = spawnOrch(["up", "--headless", "--port", "0", "--dir", project.dir]);
    await up.waitFor("web UI: ", 30_000);
    const loginUrl = /web UI: (\S+)/.exec(up.stderr)![1]!;
    base = new URL(loginUrl).origin;
    const token = readFileSync(join(project.dir, ".orch", "token"), "utf8").trim();
    const client = createClient({ url: base, token });
    // The project's definitions load once the server is up.
    const loaded = Date.now() + 20_000;
    while (!(await client.listDeployments()).length && Date.now() < loaded) await Bun.sleep(50);
    const run = await client.triggerRun("hello", { name: HOSTILE, parameters: { name: HOSTILE } });
    hostileRun = run.id;
    const deadline = Date.now() + 20_000;
    while ((await client.getRun(run.id)).state !== "COMPLETED" && Date.now() < deadline) {
      await Bun.sleep(50);
    }
    browser = await launchBrowser();
    const login = await browser.newContext();
    await (await login.newPage()).goto(loginUrl);
    cookies = await login.cookies();
    await login.close();
  });
  afterAll(async () => {
    await browser?.close();
    up?.proc.kill("SIGTERM");
    await up?.proc.exited;
    project?.cleanup();
  });

  /** A logged-in browser context (`javaScriptEnabled: false`: the server's frame alone). */
  async function loggedIn(javaScriptEnabled = true) {
    const context = await browser.newContext({
      viewport: { width: 1400, height: 900 },
      javaScriptEnabled,
    });
    await context.addCookies(cookies);
    return context;
  }

  /** The tops of the run rows in view, relative to the first: one row's height apart. */
  const rowTops = (page: import("playwright-core").Page) =>
    page.getByTestId("run-row").evaluateAll((rows) => {
      const tops = rows.map((r) => r.getBoundingClientRect().top);
      return tops.slice(0, 10).map((t) => Math.round(t - tops[0]!));
    });
  const ROWS_APART = [0, 36, 72, 108, 144, 180, 216, 252, 288, 324];

  /** The page at `path` as a logged-in browser gets it from the server. */
  async function served(path: string): Promise<string> {
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    return res.text();
  }

  test("the runs page's rows, a run's log lines and the deployments are in the page the server sends", async () => {
    const context = await loggedIn(false);
    const page = await context.newPage();
    await page.goto(`${base}/runs`);
    expect(await page.getByTestId("run-row").count()).toBeGreaterThan(10);
    expect(await page.getByTestId("count-all").textContent()).toBe("301");
    expect(await rowTops(page)).toEqual(ROWS_APART);
    // The frame's list holds only its first rows: no scroller of its own until the app has it.
    expect(
      await page.getByTestId("runs-list").evaluate((el) => getComputedStyle(el).overflowY),
    ).toBe("hidden");
    // Nor is its bar a layer of its own (sticky) until the app has the page.
    expect(await page.locator(".topbar").evaluate((el) => getComputedStyle(el).position)).toBe(
      "static",
    );
    // A row's link holds eight elements: the state's badge (its first column itself), the name
    // and its short id, deployment, time, duration, and the tags with their one tag.
    expect(
      await page
        .locator("[data-testid=run-row]", { hasText: /seeded 300 / })
        .evaluate((row) => row.querySelectorAll("*").length),
    ).toBe(8);
    // Its text is in one family at four sizes and weights: before its first paint the browser
    // looks up each face at each size (a round trip to its font service each).
    const faces = await page.evaluate(() => {
      const seen = new Set<string>();
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement!;
        if (!n.textContent!.trim() || el.closest("option, script")) continue;
        const style = getComputedStyle(el);
        seen.add(`${style.fontFamily.split(",")[0]} ${style.fontSize} ${style.fontWeight}`);
      }
      return [...seen].sort();
    });
    expect(faces).toEqual([
      "system-ui 12px 400",
      "system-ui 12px 700",
      "system-ui 14px 400",
      "system-ui 16px 700",
    ]);
    // The rows come first in the page, then the data they were drawn from, then the boot script
    // (the browser may paint what it has parsed before it has the rest).
    const html = await served("/runs");
    const at = (text: string) => html.indexOf(text);
    expect(at('data-testid="run-row"')).toBeGreaterThan(0);
    expect(at('id="orch-first-data"')).toBeGreaterThan(at('data-testid="run-row"'));
    expect(at("<script data-app=")).toBeGreaterThan(at('id="orch-first-data"'));
    await page.goto(`${base}/runs/${hostileRun}`);
    await page.getByTestId("log-lines").getByText(`hello, ${HOSTILE}`).waitFor();
    const logBox = await page.getByTestId("log-lines").boundingBox();
    await page.goto(`${base}/deployments`);
    await page.getByTestId("deployment-hello").waitFor();
    expect(await page.getByTestId("last-runs-hello").locator("a").count()).toBe(10);
    await context.close();
    // The app, once it has the page, keeps the log box as the server drew it.
    const live = await loggedIn();
    const again = await live.newPage();
    await again.goto(`${base}/runs/${hostileRun}`);
    await again.getByTestId("live-status").getByText("online").waitFor();
    await again.getByTestId("log-view").and(again.locator("[data-status=ended]")).waitFor();
    expect(await again.getByTestId("log-lines").boundingBox()).toEqual(logBox);
    await live.close();
  });

  test("the app takes the server's frame over as it is, once it is on screen: no row is drawn again or removed", async () => {
    const context = await loggedIn();
    // Before any script of the page: note the first run row as it is parsed, and every row that
    // leaves the page.
    await context.addInitScript(() => {
      const w = window as unknown as Record<string, unknown> & { __removed: number };
      w.__removed = 0;
      const isRow = (n: Node) =>
        n instanceof Element &&
        (n.matches("[data-testid=run-row]") || !!n.querySelector("[data-testid=run-row]"));
      new MutationObserver((records) => {
        for (const r of records) {
          for (const n of r.addedNodes) {
            if (w.__firstRow || !isRow(n)) continue;
            const row = (n as Element).matches("[data-testid=run-row]")
              ? n
              : (n as Element).querySelector("[data-testid=run-row]");
            w.__firstRow = row;
            w.__firstText = row?.textContent;
          }
          for (const n of r.removedNodes) if (isRow(n)) w.__removed++;
        }
      }).observe(document, { childList: true, subtree: true });
      // The app's first touch of the frame (its list's sizes, set as it takes the frame over):
      // whether the frame was on screen by then.
      const touched = new MutationObserver(() => {
        touched.disconnect();
        w.__paintedFirst = performance.getEntriesByName("first-contentful-paint").length > 0;
      });
      touched.observe(document, { attributes: true, attributeFilter: ["style"], subtree: true });
    });
    const page = await context.newPage();
    // Nothing of the page is refused by its content policy (a style attribute would be).
    const refused: string[] = [];
    page.on("console", (m) => {
      if (m.text().includes("Content Security Policy")) refused.push(m.text());
    });
    await page.goto(`${base}/runs`);
    // Live: the app has run, taken the frame over and opened the event stream.
    await page.getByTestId("live-status").getByText("online").waitFor();
    expect(await rowTops(page)).toEqual(ROWS_APART);
    const kept = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      const row = w.__firstRow as Element;
      return {
        inPage: document.contains(row),
        same: row.textContent === w.__firstText,
        isFirst: document.querySelector("[data-testid=run-row]") === row,
        removed: w.__removed,
      };
    });
    expect(kept).toEqual({ inPage: true, same: true, isFirst: true, removed: 0 });
    // The frame was on screen before the app took it over, and its list scrolls now.
    expect(
      await page.evaluate(() => (window as unknown as Record<string, unknown>).__paintedFirst),
    ).toBe(true);
    // The app's script was not even asked for until then: it took no share of the frame's work.
    const order = await page.evaluate(() => ({
      painted: performance.getEntriesByName("first-contentful-paint")[0]?.startTime,
      asked: performance
        .getEntriesByType("resource")
        .filter((e) => /\/assets\/[^/]+\.js$/.test(new URL(e.name).pathname))
        .map((e) => e.startTime),
    }));
    expect(order.asked).toHaveLength(1);
    expect(order.asked[0]).toBeGreaterThanOrEqual(order.painted!);
    expect(
      await page.getByTestId("runs-list").evaluate((el) => getComputedStyle(el).overflowY),
    ).toBe("auto");
    // The bar stays on top as a page scrolls once the app has it.
    expect(await page.locator(".topbar").evaluate((el) => getComputedStyle(el).position)).toBe(
      "sticky",
    );
    // Scrolled, the rows further down are drawn at their places: row 100 (the newest run is
    // the hostile one, then seeded 300 down) at the top of the view.
    await page.getByTestId("runs-list").evaluate((el) => {
      el.scrollTop = 36 * 100;
    });
    await page.locator("[data-testid=run-row]", { hasText: /seeded 201 [0-9a-f]{8}/ }).waitFor();
    const at = await page
      .locator("[data-testid=run-row]", { hasText: /seeded 201 [0-9a-f]{8}/ })
      .evaluate((row) => {
        const list = document.querySelector("[data-testid=runs-list]")!;
        const top = list.getBoundingClientRect().top + list.clientTop;
        return Math.round(row.getBoundingClientRect().top - top);
      });
    expect(at).toBe(0);
    expect(refused).toEqual([]);
    // And it is the app's now: a filter rewrites the address and the list, in the same page.
    await page.evaluate(() => {
      (window as unknown as Record<string, unknown>).__samePage = true;
    });
    await page.getByTestId("runs-state").selectOption("FAILED");
    await page.waitForURL(/\/runs\?state=FAILED$/);
    await page.locator("[data-testid=runs-list][data-count='30']").waitFor();
    await page.getByTestId("run-row").first().click();
    await page.getByTestId("run-page").waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/runs\/[0-9a-f-]{36}$/);
    expect(
      await page.evaluate(() => (window as unknown as Record<string, unknown>).__samePage),
    ).toBe(true);
    await context.close();
  });

  test("a run's name and parameters cannot end the page's data early: they show as text", async () => {
    for (const path of ["/runs", `/runs/${hostileRun}`]) {
      const html = await served(path);
      expect(html).not.toContain(HOSTILE);
      // The page's data holds them as they are.
      const data = /<script type="application\/json" id="orch-first-data">([^<]*)<\/script>/.exec(
        html,
      );
      expect(data).not.toBeNull();
      expect(JSON.stringify(JSON.parse(data![1]!))).toContain(JSON.stringify(HOSTILE).slice(1, -1));
    }
    const context = await loggedIn();
    const page = await context.newPage();
    await page.goto(`${base}/runs`);
    await page.getByTestId("live-status").getByText("online").waitFor();
    await page.getByTestId("run-row").filter({ hasText: HOSTILE }).waitFor();
    await page.goto(`${base}/runs/${hostileRun}`);
    await page.getByTestId("run-parameters").getByText(HOSTILE, { exact: false }).waitFor();
    expect(await page.evaluate(() => "__pwned" in window)).toBe(false);
    await context.close();
  });

  test("an older link's hash still opens its page, at its path", async () => {
    const context = await loggedIn();
    const page = await context.newPage();
    await page.goto(`${base}/#/runs?state=FAILED`);
    await page.waitForURL(`${base}/runs?state=FAILED`);
    await page.locator("[data-testid=runs-list][data-count='30']").waitFor();
    await context.close();
  });
});
