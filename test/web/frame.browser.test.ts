import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";
import { haveChromium, launchBrowser, screenshot } from "./browser.ts";

// The compiled binary's web UI in a real browser: the login, the frame, every page's route.
describe.skipIf(!haveChromium)("the web UI's frame in chromium", () => {
  let project: ReturnType<typeof tempDir>;
  let up: ReturnType<typeof spawnOrch>;
  let browser: Browser;
  let context: BrowserContext;
  let loginUrl: string;

  beforeAll(async () => {
    project = tempDir("orch-web-frame-");
    expect((await orch(["init", project.dir])).code).toBe(0);
    up = spawnOrch(["up", "--headless", "--port", "0", "--dir", project.dir]);
    await up.waitFor("web UI: ", 20_000);
    loginUrl = /web UI: (\S+)/.exec(up.stderr)![1]!;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 640 } });
  });
  afterAll(async () => {
    await browser?.close();
    up?.proc.kill("SIGTERM");
    await up?.proc.exited;
    project?.cleanup();
  });

  test("a browser without the session sees how to log in, and no data", async () => {
    const page = await browser.newPage();
    await page.goto(new URL("/#/deployments", loginUrl).href);
    await page.getByText("not logged in").waitFor();
    expect(await page.locator("nav").count()).toBe(0);
    await screenshot(page, "login");
    await page.close();
  });

  test("the login link opens the app, live, with every page in its navigation", async () => {
    const page = await context.newPage();
    await page.goto(loginUrl);
    await page.waitForURL(/\/deployments$/);
    await page.getByTestId("live-status").getByText("online").waitFor();
    for (const name of ["Runs", "Events", "Workers", "Problems", "Deployments"]) {
      await page.locator("nav").getByText(name, { exact: true }).click();
      await page.locator("h1", { hasText: name }).waitFor();
    }
    await page.close();
  });
});
