import { hostname } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { orch, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";
import { haveChromium, screenshot, signedInUp } from "./browser.ts";
import { seedRuns } from "./seed-runs.ts";

const SEEDED = 10_000;

// The runs page, a run's page and a deployment's chart, in chromium, on the compiled binary.
describe.skipIf(!haveChromium)("the runs pages in chromium", () => {
  const marker = createMarker("web-runs");
  let project: ReturnType<typeof tempDir>;
  let served: Awaited<ReturnType<typeof signedInUp>>;
  let base: string;
  let client: Awaited<ReturnType<typeof signedInUp>>["client"];
  /** A page of the app at `path` (`/runs?state=FAILED`), once it is live. */
  const open = (path: string) => served.open(path);

  beforeAll(async () => {
    project = tempDir("orch-web-runs-");
    expect((await orch(["init", project.dir])).code).toBe(0);
    await Bun.write(
      join(project.dir, "flows", "web.yaml"),
      `deployments:
  - name: sleepy
    command: ["sh", "-c", "echo going to sleep; sleep 300"]
    ${marker.yaml}
  - name: flaky
    flow: ./flaky.ts
    env: { FLAG: "${join(project.dir, "flag")}" }
  - name: approval
    flow: ./approval.ts
  - name: nightly
    command: ["true"]
    schedules:
      - cron: "0 12 15,16 3 *" # only the two days its backfill covers: none comes due here
`,
    );
    // It waits for a person's answer: how many to ship (at most 10).
    await Bun.write(
      join(project.dir, "flows", "approval.ts"),
      `import { flow, pause } from "orch";
export default flow("approval", async () => {
  const { count } = await pause<{ count: number }>({
    key: "approve",
    input: { type: "object", required: ["count"], properties: { count: { type: "integer", maximum: 10 } } },
  });
  return count * 2;
});
`,
    );
    // Its second task fails until the file FLAG exists.
    await Bun.write(
      join(project.dir, "flows", "flaky.ts"),
      `import { existsSync } from "node:fs";
import { flow, task } from "orch";
const prepare = task("prepare", async () => 41);
const finish = task("finish", async (n: number) => {
  if (!existsSync(process.env.FLAG!)) throw new Error("no flag yet");
  return n + 1;
});
export default flow("flaky", async () => finish(await prepare()));
`,
    );
    seedRuns(project.dir, SEEDED);
    served = await signedInUp(project.dir);
    ({ base, client } = served);
  });
  afterAll(async () => {
    await served?.stop();
    marker.kill();
    project?.cleanup();
  });

  /** How many run rows are in the DOM. */
  const rowsInDom = (page: Page) => page.getByTestId("run-row").count();

  test("a triggered run appears and completes live on the runs page; its page shows its logs", async () => {
    const page = await open("/runs");
    await page.getByTestId("run-row").first().waitFor();
    const run = await client.triggerRun("hello", { parameters: { name: "browser" } });
    const row = page.locator(`[data-testid=run-row][data-run="${run.id}"]`);
    await row.waitFor();
    await row.getByText("COMPLETED", { exact: false }).waitFor({ timeout: 20_000 });
    await screenshot(page, "runs");
    await row.click();
    await page.waitForURL(new RegExp(`/runs/${run.id}$`));
    await page.getByTestId("log-lines").getByText("hello, browser").waitFor();
    await page.getByTestId("state-entry").filter({ hasText: "Completed" }).waitFor();
    expect(await page.getByTestId("run-parameters").textContent()).toContain('"browser"');
    await page.getByTestId("log-search").fill("no such text");
    await page.getByText("No line matches.").waitFor();
    await page.close();
  });

  test("a long run is cancelled from its page: the page says so and its process is gone", async () => {
    const run = await client.triggerRun("sleepy");
    const page = await open(`/runs/${run.id}`);
    await page.getByTestId("log-lines").getByText("going to sleep").waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("run-page").getAttribute("data-state")).toBe("RUNNING");
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByTestId("run-cancel").click();
    await page.locator("[data-testid=run-page][data-state=CANCELLED]").waitFor({ timeout: 20_000 });
    await page.getByTestId("run-retry").waitFor();
    expect(await page.getByTestId("run-cancel").count()).toBe(0);
    expect((await client.getRun(run.id)).state).toBe("CANCELLED");
    expect(marker.pids()).toEqual([]);
    await page.close();
  });

  test("a flow's task runs on the Gantt, its subflow in the tree, its artifact as a table; a second run's cache hit shows", async () => {
    const first = await client.triggerRun("etl");
    const page = await open(`/runs/${first.id}`);
    await page.locator("[data-testid=run-page][data-state=COMPLETED]").waitFor({ timeout: 30_000 });
    const bars = page.getByTestId("gantt-bar");
    await bars.first().waitFor();
    const tasks = await bars.evaluateAll((els) => els.map((e) => e.getAttribute("data-task")));
    expect(tasks.sort()).toEqual(["extract", "load", "price", "price", "price"]);
    await page.getByTestId("subflow").getByText("report").waitFor();
    await page.getByTestId("artifact").locator("th", { hasText: "order" }).waitFor();
    expect(await page.getByTestId("run-result").textContent()).toContain('"orders": 3');
    // A structured log line shows its fields, as the CLI does.
    const loaded = page.locator(".log-line", { hasText: "loaded orders" });
    await loaded.waitFor();
    expect(await loaded.getByTestId("log-fields").textContent()).toMatch(/rows=3 total=\d+/);
    await screenshot(page, "run-detail");
    // On the runs page its subflow says whose it is, not "ad hoc".
    const report = page.getByTestId("subflow").getByText("report");
    const child = await report.evaluate((el) => el.closest("[data-run]")?.getAttribute("data-run"));
    await page.goto(`${base}/runs`);
    const row = page.locator(`[data-testid=run-row][data-run="${child}"]`);
    await row.waitFor();
    expect(await row.locator(".c-deployment").textContent()).toBe(
      `subflow of ${first.id.slice(0, 8)}`,
    );

    const second = await client.triggerRun("etl");
    await page.goto(`${base}/runs/${second.id}`);
    await page
      .locator(`[data-testid=run-page][data-run="${second.id}"][data-state=COMPLETED]`)
      .waitFor({ timeout: 30_000 });
    const extract = page.locator("[data-testid=gantt-bar][data-task=extract]");
    expect(await extract.getAttribute("data-cached")).toBe("1");
    // The worker is named as the monitor and the CLI name it, not by its id.
    expect(await page.getByTestId("run-worker").textContent()).toBe(`embedded@${hostname()}`);
    await page.close();
  });

  test("a failed flow is retried from its failed task: what completed before is reused", async () => {
    const run = await client.triggerRun("flaky");
    const page = await open(`/runs/${run.id}`);
    await page.locator("[data-testid=run-page][data-state=FAILED]").waitFor({ timeout: 30_000 });
    await page.locator("[data-testid=gantt-bar][data-task=finish][data-state=Failed]").waitFor();
    await Bun.write(join(project.dir, "flag"), "");
    await page.getByTestId("run-retry-failed").click();
    await page.locator("[data-testid=run-page][data-state=COMPLETED]").waitFor({ timeout: 30_000 });
    await page.locator("[data-testid=gantt-bar][data-task=prepare][data-state=Reused]").waitFor();
    expect(await page.getByTestId("run-result").textContent()).toContain("42");
    // Its due time moved with the retry: the time it was for has a row, each time its attempt.
    expect(await page.getByTestId("run-for").count()).toBe(1);
    expect(await page.getByTestId("run-scheduled").textContent()).toMatch(/\(attempt 2\)$/);
    // The retry starts the run afresh: its start is attempt 2's, and says so.
    expect(await page.getByTestId("run-started").textContent()).toMatch(/\(attempt 2\)$/);
    await page.close();
  });

  test("a paused run is resumed from its page with a field per input, checked here and by the server", async () => {
    const run = await client.triggerRun("approval");
    const page = await open(`/runs/${run.id}`);
    await page.locator("[data-testid=run-page][data-state=PAUSED]").waitFor({ timeout: 30_000 });
    await page.getByTestId("run-resume").click();
    const form = page.getByTestId("resume-input");
    const count = form.locator('input[name="input.count"]');
    await count.fill("many");
    await form.getByRole("button", { name: "Resume with this input" }).click();
    await form.locator('[data-field="input.count"]').getByText("must be").waitFor();
    // A number the schema refuses: the server's words, under the field.
    await count.fill("11");
    await form.getByRole("button", { name: "Resume with this input" }).click();
    await form.locator('[data-field="input.count"]').getByText("10").waitFor();
    await screenshot(page, "resume-form-invalid");
    expect((await client.getRun(run.id)).state).toBe("PAUSED");
    await count.fill("4");
    await form.getByRole("button", { name: "Resume with this input" }).click();
    await page.locator("[data-testid=run-page][data-state=COMPLETED]").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("run-result").textContent()).toContain("8");
    await page.close();
  });

  test("a backfill's runs say the day they process; the list's time is the one it is ordered by", async () => {
    const made = await orch([
      "backfill",
      "nightly",
      "--from",
      "2026-03-15",
      "--to",
      "2026-03-16T23:59",
      "--dir",
      project.dir,
    ]);
    expect(made.code, made.stderr).toBe(0);
    const page = await open("/runs?deployment=nightly");
    await page.locator("[data-testid=runs-list][data-count='2']").waitFor({ timeout: 30_000 });
    const names = await page
      .getByTestId("run-row")
      .evaluateAll((els) => els.map((e) => e.querySelector(".c-name")?.textContent ?? ""));
    expect(names.map((n) => n.slice(0, 14)).sort()).toEqual(["for 2026-03-15", "for 2026-03-16"]);
    expect(await page.locator(".run-head .c-time").textContent()).toBe("Due");
    await page.close();
  });

  test("filters live in the URL: a link shows the same runs, with their count per state", async () => {
    const page = await open("/runs?deployment=hello&state=FAILED&tag=seeded");
    await page.getByTestId("run-row").first().waitFor();
    const failed = SEEDED / 10;
    await page.getByTestId("count-FAILED").getByText(failed.toLocaleString("en")).waitFor();
    expect(await page.getByTestId("runs-list").getAttribute("data-count")).toBe(String(failed));
    const states = await page
      .getByTestId("run-row")
      .evaluateAll((els) => [...new Set(els.map((e) => e.querySelector(".badge")?.textContent))]);
    expect(states).toEqual(["FAILED"]);
    // Text: "seeded 77" is in the names of runs 77, 770-779 and 7700-7799; 770 and 77x0 failed.
    await page.getByTestId("runs-search").fill("seeded 77");
    await page.waitForURL(/q=seeded\+77/);
    await page.locator("[data-testid=runs-list][data-count='11']").waitFor();
    const shared = page.url();
    const again = await open(shared.slice(base.length));
    await again.locator("[data-testid=runs-list][data-count='11']").waitFor();
    expect(await again.getByTestId("runs-search").inputValue()).toBe("seeded 77");
    expect(await again.getByTestId("runs-state").inputValue()).toBe("FAILED");
    await again.getByTestId("runs-state").selectOption("");
    await again.locator("[data-testid=runs-list][data-count='111']").waitFor();
    await again.close();
    await page.close();
  });

  test("10,000 runs scroll to the oldest with only the rows in view in the page", async () => {
    const page = await open("/runs?tag=seeded");
    await page.getByTestId("count-all").getByText("10,000").waitFor();
    const list = page.getByTestId("runs-list");
    expect(await list.getAttribute("data-count")).toBe(String(SEEDED));
    expect(await rowsInDom(page)).toBeLessThan(60);
    // Scroll down step by step, as a reader dragging the bar would, until the oldest run shows.
    const oldest = page.locator("[data-testid=run-row]", { hasText: /seeded 1 [0-9a-f]{8}/ });
    for (let i = 0; i < 40 && !(await oldest.count()); i++) {
      await list.evaluate((el) => {
        el.scrollTop += el.scrollHeight / 20;
      });
      // The rows in view are loaded before the next step.
      await page.waitForFunction(() => !document.querySelector(".run-row.loading"));
      expect(await rowsInDom(page)).toBeLessThan(60);
    }
    await oldest.waitFor();
    expect(await rowsInDom(page)).toBeLessThan(60);
    await page.close();
  }, 120_000);

  test("a deployment's chart shows its runs' durations and outcomes, reached from the runs page", async () => {
    const page = await open("/runs?deployment=hello");
    await page.getByTestId("chart-link").click();
    await page.waitForURL(/\/runs\/chart\/hello$/);
    const chart = page.getByTestId("duration-chart");
    await chart.waitFor();
    expect(Number(await chart.getAttribute("data-points"))).toBeGreaterThan(400);
    expect(await page.getByTestId("chart-summary").textContent()).toMatch(/\d+% ?completed/);
    await screenshot(page, "deployment-chart");
    // And from the deployments page.
    await page.goto(`${base}/deployments`);
    await page.getByTestId("live-status").getByText("online").waitFor();
    await page.getByTestId("chart-etl").click();
    await page.waitForURL(/\/runs\/chart\/etl$/);
    await page.getByTestId("chart-summary").getByText("latest runs").waitFor();
    await page.close();
  }, 60_000);
});
