import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { orch, tempDir } from "../helpers.ts";
import { haveChromium, signedInUp } from "./browser.ts";
import { seedRuns } from "./seed-runs.ts";

// A page never shows what the server no longer has: runs `orch runs prune` deleted, a pause
// resumed from elsewhere, a deployment removed. On the compiled binary, in chromium.
describe.skipIf(!haveChromium)("stale screens in chromium", () => {
  let project: ReturnType<typeof tempDir>;
  let served: Awaited<ReturnType<typeof signedInUp>>;
  let client: Awaited<ReturnType<typeof signedInUp>>["client"];
  const open = (path: string) => served.open(path);

  beforeAll(async () => {
    project = tempDir("orch-web-stale-");
    expect((await orch(["init", project.dir])).code).toBe(0);
    // Finished an hour ago and more: what a prune of runs older than a minute deletes.
    seedRuns(project.dir, 30);
    await Bun.write(
      join(project.dir, "flows", "approval.yaml"),
      "deployments:\n  - name: approval\n    flow: ./approval.ts\n",
    );
    await Bun.write(
      join(project.dir, "flows", "approval.ts"),
      `import { flow, pause } from "orch";
export default flow("approval", async () => {
  const { ok } = await pause<{ ok: boolean }>({
    input: { type: "object", required: ["ok"], properties: { ok: { type: "boolean" } } },
  });
  return ok;
});
`,
    );
    served = await signedInUp(project.dir);
    client = served.client;
  });
  afterAll(async () => {
    await served?.stop();
    project?.cleanup();
  });

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

  test("a resume form open on a run resumed from elsewhere closes; the run's new state shows", async () => {
    const run = await client.triggerRun("approval");
    const page = await open(`/runs/${run.id}`);
    await page.locator("[data-testid=run-page][data-state=PAUSED]").waitFor({ timeout: 30_000 });
    await page.getByTestId("run-resume").click();
    await page.getByTestId("resume-input").waitFor();
    await client.resumeRun(run.id, { ok: true });
    await page.locator("[data-testid=run-page][data-state=COMPLETED]").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("resume-input").count()).toBe(0);
    await page.close();
  });

  test("a deployment removed while its details are open says so and offers no run", async () => {
    const file = join(project.dir, "flows", "gone.yaml");
    await Bun.write(file, 'deployments:\n  - name: gone\n    command: ["true"]\n');
    const deadline = Date.now() + 20_000;
    while (!(await client.listDeployments()).some((d) => d.name === "gone")) {
      if (Date.now() > deadline) throw new Error("gone was never deployed");
      await Bun.sleep(50);
    }
    const page = await open("/deployments?selected=gone");
    const details = page.getByTestId("deployment-details");
    await details.getByRole("button", { name: "Run…" }).waitFor();
    rmSync(file);
    await details.getByTestId("deployment-removed").waitFor({ timeout: 20_000 });
    expect(await details.getByRole("button", { name: "Run…" }).count()).toBe(0);
    // Its runs stay in the history: a filter on it says whose they are.
    const runs = await open("/runs?deployment=gone");
    await runs
      .getByTestId("runs-deployment")
      .getByText("gone (removed)")
      .waitFor({ state: "attached" });
    expect(await runs.getByTestId("runs-deployment").inputValue()).toBe("gone");
    await Promise.all([page.close(), runs.close()]);
  });

  test("pages of a paused run hold no log stream: four of them leave the browser room for more", async () => {
    const run = await client.triggerRun("approval");
    const first = await open(`/runs/${run.id}`);
    await first.locator("[data-testid=run-page][data-state=PAUSED]").waitFor({ timeout: 30_000 });
    await first.locator("[data-testid=log-view][data-status=waiting]").waitFor();
    // Each tab holds the event stream; a chromium has six connections to a server.
    const tabs = [first];
    for (let i = 0; i < 3; i++) tabs.push(await open(`/runs/${run.id}`));
    const more = await open("/deployments");
    await more.getByTestId("deployment-approval").waitFor({ timeout: 10_000 });
    // Resumed, it runs again: its page follows the new attempt's lines to the end.
    await client.resumeRun(run.id, { ok: true });
    await first
      .locator("[data-testid=run-page][data-state=COMPLETED]")
      .waitFor({ timeout: 30_000 });
    await first.locator("[data-testid=log-view][data-status=ended]").waitFor();
    await Promise.all([...tabs, more].map((p) => p.close()));
  });
});
