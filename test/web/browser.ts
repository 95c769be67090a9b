/**
 * Debian's chromium driven by playwright-core, for the web UI's tests. The flags keep it from
 * reaching out to the network (this machine has none) and from touching anything outside the
 * test: a fresh profile per launch (playwright makes one), no sync, no component updates.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";

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
