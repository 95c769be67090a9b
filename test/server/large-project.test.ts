import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { tempDir } from "../helpers.ts";

let cleanup = () => {};
let server: OrchServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  cleanup();
});

/** A file of deployments `from` to `to` (exclusive), each with an hourly schedule. */
function definitions(prefix: string, from: number, to: number): string {
  let text = "deployments:\n";
  for (let i = from; i < to; i++) {
    text += `  - name: ${prefix}${i}\n    command: ["true"]\n    schedules:\n      - interval: 1h\n`;
  }
  return text;
}

/** A project of `count` scheduled deployments, in files of 100. */
function largeProject(count: number): string {
  const t = tempDir();
  cleanup = t.cleanup;
  mkdirSync(join(t.dir, "flows"));
  for (let from = 0; from < count; from += 100) {
    writeFileSync(
      join(t.dir, `flows/part-${from}.yaml`),
      definitions("d", from, Math.min(count, from + 100)),
    );
  }
  return t.dir;
}

/** Ask health back to back until `done` settles; how many answers came before it did. */
async function healthAnswersUntil(url: string, done: Promise<unknown>): Promise<number> {
  let over = false;
  void done.finally(() => {
    over = true;
  });
  let answers = 0;
  while (!over) {
    const res = await fetch(`${url}/api/health`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    if (!over) answers++;
  }
  return answers;
}

test("orch up answers health at once while a large project loads behind it, and tells its progress", async () => {
  const dir = largeProject(400);
  server = await startServer({
    dir,
    port: 0,
    worker: false,
    retention: false,
    waitForLoad: false,
    progressAfterMs: 0,
  });
  // The API answered while definitions were still being deployed and planned.
  const answers = await healthAnswersUntil(server.url, server.loaded);
  expect(answers).toBeGreaterThan(1);

  const client = createClient({ url: server.url, token: server.token });
  const events = await client.listEvents({ prefix: "project.", limit: 1000 });
  const phases = events.filter((e) => e.name === "project.loading").map((e) => e.payload.phase);
  expect(new Set(phases)).toEqual(new Set(["reading", "deploying", "planning"]));
  const loading = events.filter((e) => e.name === "project.loading").reverse();
  // Each phase counts up to its total.
  for (const phase of ["reading", "deploying", "planning"]) {
    const steps = loading.filter((e) => e.payload.phase === phase).map((e) => e.payload);
    for (const [i, step] of steps.entries()) {
      expect(step.done).toBeLessThanOrEqual(step.total as number);
      if (i) expect(step.done).toBeGreaterThanOrEqual(steps[i - 1]!.done as number);
    }
  }
  const loaded = events.find((e) => e.name === "project.loaded");
  expect(loaded?.payload.deployments).toBe(400);

  // Every deployment is deployed and planned once it says so.
  const deployments = await client.listDeployments();
  expect(deployments).toHaveLength(400);
  expect(deployments.filter((d) => d.next_run === null)).toEqual([]);
}, 300_000);

test("a save of many new deployments into a running project is deployed in slices: health answers in between", async () => {
  const dir = largeProject(200);
  server = await startServer({ dir, port: 0, worker: false, retention: false });
  const client = createClient({ url: server.url, token: server.token });
  // The first and last deployment.created of the new file, as the store publishes them.
  let first = 0;
  let last = 0;
  const answersAt: number[] = [];
  const plannedNames = new Set<string>();
  const added = 300;
  const planned = new Promise<void>((resolve) => {
    server!.store.subscribe((e) => {
      if (e.name === "deployment.created" && e.resource?.startsWith("n")) {
        first ||= performance.now();
        last = performance.now();
      }
      if (e.name === "flow-run.scheduled") {
        const p = JSON.parse(e.payload) as { deployment?: string };
        if (p.deployment?.startsWith("n")) plannedNames.add(p.deployment);
        if (plannedNames.size === added) resolve();
      }
    });
  });
  writeFileSync(join(dir, "flows/new.yaml"), definitions("n", 0, added));
  let over = false;
  void planned.then(() => {
    over = true;
  });
  while (!over) {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    answersAt.push(performance.now());
  }
  // Answers came while the file's deployments were being written, not only before or after.
  expect(answersAt.some((t) => t > first && t < last)).toBe(true);
  const listed = await client.listDeployments();
  expect(listed.filter((d) => d.name.startsWith("n"))).toHaveLength(added);
  expect(listed.filter((d) => d.next_run === null)).toEqual([]);
}, 300_000);
