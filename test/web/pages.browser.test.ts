import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";
import { haveChromium, launchBrowser, screenshot } from "./browser.ts";

// A deployment beside orch init's examples whose schema the server checks further than the
// form does (multipleOf), so the server's own validation message must reach the form.
const BATCH = `deployments:
  - name: batch
    description: Process a batch
    command: ["echo", "batch of {{ parameters.size }}"]
    parameters: { size: 5 }
    tags: [web]
    parameter_schema:
      type: object
      properties:
        size: { type: integer, minimum: 1, multipleOf: 5, description: "Items per batch" }
`;

// Two triggers: an event a test emits, and a folder watched for files.
const SENSOR = `deployments:
  - name: on-sensor
    command: ["echo", "reading"]
    triggers:
      - on: sensor.reading
        match: { resource: "tank-*" }
      - files: { folder: ./inbox, glob: "*.csv" }
`;

const BROKEN = `deployments:
  - name: broken
    command: ["echo", "hi"]
    schedules:
      - cron: "61 * * * *"
`;

// The compiled binary's pages in a real browser, logged in with the code orch up printed.
describe.skipIf(!haveChromium)("the web UI's pages in chromium", () => {
  let project: ReturnType<typeof tempDir>;
  let up: ReturnType<typeof spawnOrch>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let token: string;

  /** The API as a script sees it (with the token), to check what the page says. */
  const api = async <T>(path: string): Promise<T> =>
    (await (
      await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as T;

  beforeAll(async () => {
    project = tempDir("orch-web-pages-");
    expect((await orch(["init", project.dir])).code).toBe(0);
    writeFileSync(join(project.dir, "flows", "batch.yaml"), BATCH);
    mkdirSync(join(project.dir, "flows", "inbox"));
    writeFileSync(join(project.dir, "flows", "sensor.yaml"), SENSOR);
    up = spawnOrch(["up", "--headless", "--port", "0", "--dir", project.dir]);
    await up.waitFor("web UI: ", 20_000);
    const loginUrl = /web UI: (\S+)/.exec(up.stderr)![1]!;
    base = new URL(loginUrl).origin;
    token = (await Bun.file(join(project.dir, ".orch", "token")).text()).trim();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 640 } });
    page = await context.newPage();
    await page.goto(loginUrl);
    await page.getByTestId("live-status").getByText("online").waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    up?.proc.kill("SIGTERM");
    await up?.proc.exited;
    project?.cleanup();
  });

  test("the deployments page lists the example deployments with their schedules", async () => {
    for (const name of ["hello", "etl", "batch"])
      await page.getByTestId(`deployment-${name}`).waitFor();
    await page.getByTestId("deployment-hello").getByText("every 1m").waitFor();
    await screenshot(page, "deployments");
  });

  test("a deployment's row shows its triggers: kind, what they match, and when they last fired, live", async () => {
    const triggers = page.getByTestId("triggers-on-sensor");
    await triggers.getByText("sensor.reading (resource: tank-*)").waitFor();
    await triggers.getByText(/^files \*\.csv in \/.*\/flows\/inbox$/).waitFor();
    expect(await triggers.getByText("reactive").count()).toBe(2);
    expect(await triggers.getByText("never fired").count()).toBe(2);
    // The event fires the first trigger: its row says so without a reload.
    const emitted = await fetch(`${base}/api/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "sensor.reading", resource: "tank-7" }),
    });
    expect(emitted.status).toBe(201);
    await triggers.getByText(/^fired (just now|\d+s ago)$/).waitFor({ timeout: 20_000 });
    expect(await triggers.getByText("never fired").count()).toBe(1);
    await screenshot(page, "deployments-triggers");
  });

  test("a run from the form: the form's and the server's validation, then it completes live", async () => {
    const row = page.getByTestId("deployment-batch");
    await row.getByRole("button", { name: "Run…" }).click();
    const form = page.getByTestId("trigger-form");
    const size = form.locator('input[name="parameters.size"]');
    expect(await size.inputValue()).toBe("5");
    // Not a number: the form says so before anything is sent.
    await size.fill("many");
    await form.getByRole("button", { name: "Run", exact: true }).click();
    await form.locator('[data-field="parameters.size"]').getByText("must be a number").waitFor();
    // A number the schema refuses: the server's message, under the field it names.
    await size.fill("7");
    await form.getByRole("button", { name: "Run", exact: true }).click();
    await form.locator('[data-field="parameters.size"]').getByText("multiple of 5").waitFor();
    await form.getByRole("alert").getByText("do not match the parameter schema").waitFor();
    await screenshot(page, "trigger-form-invalid");
    expect(await api<unknown[]>("/api/runs?deployment=batch")).toEqual([]);
    await size.fill("10");
    await form.getByRole("button", { name: "Run", exact: true }).click();
    // The new run is followed where it was started, until it completes.
    await page.getByTestId("started-run").getByText("COMPLETED").waitFor({ timeout: 20_000 });
    // The row's last runs turn green when the run completes, from the event stream alone.
    await row.locator(".dot.state-completed").waitFor({ timeout: 20_000 });
    const [run] = await api<{ state: string; parameters: { size: number } }[]>(
      "/api/runs?deployment=batch",
    );
    expect(run).toMatchObject({ state: "COMPLETED", parameters: { size: 10 } });
  });

  test("run at a later time and the per-run options reach the run", async () => {
    await page.getByTestId("deployment-batch").getByRole("button", { name: "Run…" }).click();
    const form = page.getByTestId("trigger-form");
    await form.locator('select[name="start"]').selectOption("in");
    await form.locator('input[name="when"]').fill("2h");
    await form.getByText("Options of this run").click();
    await form.locator('input[name="tags"]').fill("from-web, nightly");
    await form.locator('input[name="name"]').fill("later batch");
    await form.locator('textarea[name="env"]').fill("MODE=test");
    await screenshot(page, "trigger-form");
    await form.getByRole("button", { name: "Run", exact: true }).click();
    await page.getByTestId("started-run").getByText("later batch").waitFor();
    await page.getByTestId("started-run").getByText("Scheduled").waitFor();
    const runs = await api<{ name: string; tags: string[]; scheduled_at: string; state: string }[]>(
      "/api/runs?deployment=batch&planned=1",
    );
    const later = runs.find((r) => r.name === "later batch")!;
    expect(later.tags).toEqual(expect.arrayContaining(["from-web", "nightly"]));
    expect(later.state).toBe("SCHEDULED");
    const inMs = Date.parse(later.scheduled_at) - Date.now();
    expect(inMs).toBeGreaterThan(3600_000);
  });

  test("pause and resume a deployment from its row", async () => {
    const row = page.getByTestId("deployment-hello");
    await row.getByRole("button", { name: "Pause" }).click();
    await row.getByText("paused", { exact: true }).waitFor();
    expect((await api<{ paused: boolean }>("/api/deployments/hello")).paused).toBe(true);
    await row.getByRole("button", { name: "Resume" }).click();
    await row.getByRole("button", { name: "Pause" }).waitFor();
    expect((await api<{ paused: boolean }>("/api/deployments/hello")).paused).toBe(false);
  });

  test("a deployment's details: next runs and versions with what changed", async () => {
    await page.getByTestId("deployment-etl").getByRole("link", { name: "etl" }).click();
    const details = page.getByTestId("deployment-details");
    await details.getByText("Versions").waitFor();
    await details.getByText("first version").waitFor();
    // A change to the flow's file is a new version that names the file.
    const file = join(project.dir, "flows", "etl.ts");
    writeFileSync(file, `${await Bun.file(file).text()}\n// changed\n`);
    await details.getByText("v2").waitFor({ timeout: 20_000 });
    await details.getByText("etl.ts").first().waitFor();
    await screenshot(page, "deployment-details");
  });

  test("the problems page shows an invalid file with file:line:col, live, until it is fixed", async () => {
    await page.locator("nav").getByText("Problems", { exact: true }).click();
    await page.getByTestId("no-problems").waitFor();
    const file = join(project.dir, "flows", "broken.yaml");
    writeFileSync(file, BROKEN);
    const problem = page.getByTestId("problem-file");
    await problem.getByText(/flows\/broken\.yaml:5:\d+/).waitFor({ timeout: 20_000 });
    await screenshot(page, "problems");
    writeFileSync(file, BROKEN.replace("61 * * * *", "0 * * * *"));
    await page.getByTestId("no-problems").waitFor({ timeout: 20_000 });
  });

  test("the events page follows new events and filters them", async () => {
    await page.locator("nav").getByText("Events", { exact: true }).click();
    await page.getByTestId("event-row").first().waitFor();
    await page.getByLabel("Kind").selectOption("deployment.");
    await page.getByTestId("event-row").getByText("deployment.created").first().waitFor();
    await expect
      .poll(() => page.getByTestId("event-row").filter({ hasText: "flow-run." }).count())
      .toBe(0);
    await page.getByLabel("Kind").selectOption("");
    await fetch(`${base}/api/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "shop.order-placed", resource: "order-7", payload: { n: 1 } }),
    });
    await page.getByTestId("event-row").getByText("shop.order-placed").waitFor();
    await page.getByLabel("Text").fill("nothing-like-this");
    await page.getByText("No events match.").waitFor();
    await page.getByLabel("Text").fill("order-7");
    await page.getByTestId("event-row").getByText("shop.order-placed").waitFor();
    expect(await page.getByTestId("event-row").count()).toBe(1);
    await screenshot(page, "events");
  });

  test("the workers page shows the embedded worker and its pool", async () => {
    await page.locator("nav").getByText("Workers", { exact: true }).click();
    await page.getByTestId("worker-row").getByText("online").waitFor();
    await page.getByTestId("pool-row").getByText("default").first().waitFor();
    await screenshot(page, "workers");
  });

  test("without the session, or from another origin, the API refuses", async () => {
    const stranger = await browser.newContext();
    const res = await stranger.request.get(`${base}/api/deployments`);
    expect(res.status()).toBe(401);
    await stranger.close();
    // The logged-in browser's cookie, sent from another origin: refused.
    const foreign = await context.request.post(`${base}/api/deployments/hello/pause`, {
      headers: { origin: "http://evil.example" },
    });
    expect(foreign.status()).toBe(403);
    const otherHost = await context.request.get(`${base}/api/deployments`, {
      headers: { host: "evil.example" },
    });
    expect(otherHost.status()).toBe(403);
    expect((await api<{ paused: boolean }>("/api/deployments/hello")).paused).toBe(false);
  });

  test("after orch up restarts, the page is still logged in and shows only what the server has", async () => {
    await page.locator("nav").getByText("Deployments", { exact: true }).click();
    await page.getByTestId("deployment-batch").waitFor();
    up.proc.kill("SIGTERM");
    await up.proc.exited;
    await page.getByTestId("live-status").getByText("offline").waitFor();
    // While orch is down, a definition goes away: the page must not keep showing it.
    rmSync(join(project.dir, "flows", "batch.yaml"));
    up = spawnOrch(["up", "--headless", "--port", new URL(base).port, "--dir", project.dir]);
    await up.waitFor("orch is up at", 20_000);
    await page.getByTestId("live-status").getByText("online").waitFor({ timeout: 20_000 });
    await page.getByTestId("deployment-batch").waitFor({ state: "detached" });
    await page.getByTestId("deployment-hello").waitFor();
  });
});
