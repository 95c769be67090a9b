/**
 * Debian's chromium driven by playwright-core, for the web UI's tests. The flags keep it from
 * reaching out to the network (this machine has none) and from touching anything outside the
 * test: a fresh profile per launch (playwright makes one), no sync, no component updates.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { createClient } from "../../src/client/index.ts";
import { spawnOrch } from "../helpers.ts";

/** Where the browser is (ORCH_CHROMIUM overrides). */
export const CHROMIUM = process.env.ORCH_CHROMIUM ?? "/usr/bin/chromium";

/** Whether the browser tests can run here. */
export const haveChromium = existsSync(CHROMIUM);

if (!haveChromium) {
  console.warn(
    `browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`,
  );
}

/** Where each test run writes its screenshots (git-ignored; docs/ holds committed copies). */
export const SCREENSHOTS = resolve(import.meta.dirname, "../../test-output/screenshots");

/** Start headless chromium. */
export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Save a screenshot of the page as test-output/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * `orch up --headless` on the project at `dir` (the compiled binary), an API client, and a
 * chromium context signed in to its web UI; `open` shows a page once its live stream is online.
 */
export async function signedInUp(dir: string) {
  const up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  try {
    await up.waitFor("web UI: ", 30_000);
    const loginUrl = /web UI: (\S+)/.exec(up.stderr)![1]!;
    const base = new URL(loginUrl).origin;
    const token = readFileSync(join(dir, ".orch", "token"), "utf8").trim();
    const client = createClient({ url: base, token });
    const browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(loginUrl);
    await page.waitForURL(/\/deployments$/);
    await page.close();
    return {
      up,
      base,
      client,
      context,
      /** A page of the app at `path` (`/runs?state=FAILED`), once it is live. */
      async open(path: string): Promise<Page> {
        const opened = await context.newPage();
        await opened.goto(`${base}${path}`);
        await opened.getByTestId("live-status").getByText("online").waitFor();
        return opened;
      },
      async stop() {
        await browser.close();
        up.proc.kill("SIGTERM");
        await up.proc.exited;
      },
    };
  } catch (error) {
    up.proc.kill("SIGTERM");
    await up.proc.exited;
    throw error;
  }
}
