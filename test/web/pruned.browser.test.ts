import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { orch, spawnOrch, tempDir } from "../helpers.ts";
import { haveChromium, launchBrowser } from "./browser.ts";
import { seedRuns } from "./seed-runs.ts";

// What `orch runs prune` deletes leaves every open page: a page never shows what the server no
// longer has. On the compiled binary, in chromium.
describe.skipIf(!haveChromium)("pruned runs in chromium", () => {
  let project: ReturnType<typeof tempDir>;
  let up: ReturnType<typeof spawnOrch>;
  let browser: Browser;
  let context: BrowserContext;
  let base: string;
  let client: ReturnType<typeof createClient>;

  beforeAll(async () => {
    project = tempDir("orch-web-pruned-");
    expect((await orch(["init", project.dir])).code).toBe(0);
    // Finished an hour ago and more: what a prune of runs older than a minute deletes.
    seedRuns(project.dir, 30);
    up = spawnOrch(["up", "--headless", "--port", "0", "--dir", project.dir]);
    await up.waitFor("web UI: ", 30_000);
    const loginUrl = /web UI: (\S+)/.exec(up.stderr)![1]!;
    base = new URL(loginUrl).origin;
    const token = readFileSync(join(project.dir, ".orch", "token"), "utf8").trim();
    client = createClient({ url: base, token });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(loginUrl);
    await page.waitForURL(/\/deployments$/);
    await page.close();
  });
  afterAll(async () => {
    await browser?.close();
    up?.proc.kill("SIGTERM");
    await up?.proc.exited;
    project?.cleanup();
  });

  async function open(path: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${base}${path}`);
    await page.getByTestId("live-status").getByText("online").waitFor();
    return page;
  }

  test("runs pruned while the runs page and a run's page are open leave both", async () => {
    const { runs } = await client.listRuns({ tag: "seeded", limit: 100 });
    expect(runs).toHaveLength(30);
    const seeded = runs[0]!;
    const list = await open("/runs");
    await list.locator(`[data-testid=run-row][data-run="${seeded.id}"]`).waitFor();
    const detail = await open(`/runs/${seeded.id}`);
    await detail.getByTestId("run-page").waitFor();
    // A run of now stays: the prune takes only runs that ended over a minute ago.
    const fresh = await client.triggerRun("hello");
    await list.locator(`[data-testid=run-row][data-run="${fresh.id}"]`).waitFor();

    const pruned = await orch(["runs", "prune", "--older-than", "1m", "--dir", project.dir]);
    expect(pruned.code).toBe(0);
    expect(pruned.stderr).toContain("deleted 30 finished runs");

    await detail.getByTestId("run-gone").waitFor();
    expect(await detail.getByTestId("run-page").count()).toBe(0);
    expect(await detail.getByTestId("run-retry").count()).toBe(0);
    await list
      .locator(`[data-testid=run-row][data-run="${seeded.id}"]`)
      .waitFor({ state: "detached" });
    expect(await list.getByTestId("run-row").count()).toBe(1);
    await list.locator(`[data-testid=run-row][data-run="${fresh.id}"]`).waitFor();
    await Promise.all([list.close(), detail.close()]);
  });
});
