import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { deploymentSpec, listDeployments, plannedRuns, type Store } from "../../src/store/index.ts";
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
  // Deploying and planning count deployments (400), not the writes or batches behind them.
  for (const step of loading.filter((e) => e.payload.phase !== "reading")) {
    expect(step.payload.total as number).toBeLessThanOrEqual(400);
  }
  expect(
    loading.filter((e) => e.payload.phase === "deploying").map((e) => e.payload.total),
  ).toContain(400);
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
  // Enough that writing them takes several slices (SLICE_MS) on a fast machine too: 300 were
  // written within one there, leaving no turn between the first and the last.
  const added = 2000;
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

/** Poll `check` until it is true (or fail after `ms`). */
async function until(check: () => boolean, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * What the store holds, checked against the files: `names` deployed (and no other), each of the
 * `changed` ones with its new command, every one with its next run planned, and each planned
 * run of its current version (none left over from a version a save replaced).
 */
function consistent(store: Store, names: Set<string>, changed: string[]): boolean {
  const rows = listDeployments(store);
  if (rows.length !== names.size || rows.some((r) => !names.has(r.name))) return false;
  for (const row of rows) {
    const runs = plannedRuns(store, row.id);
    if (!runs.length || runs.some((run) => run.version !== row.version)) return false;
    if (changed.includes(row.name) && deploymentSpec(row).command?.[1] !== "v2") return false;
  }
  return true;
}

test("a save during the first load ends consistent: the file as saved, planned once, nothing stale", async () => {
  const dir = largeProject(600);
  server = await startServer({ dir, port: 0, worker: false, retention: false, waitForLoad: false });
  let loaded = false;
  void server.loaded.then(() => {
    loaded = true;
  });
  // part-0 changes while the project loads: its commands change, two go, one comes.
  const saved = definitions("d", 0, 98).replaceAll('command: ["true"]', 'command: ["echo", "v2"]');
  writeFileSync(
    join(dir, "flows/part-0.yaml"),
    `${saved}  - name: extra\n    command: ["echo", "v2"]\n    schedules:\n      - interval: 1h\n`,
  );
  expect(loaded).toBe(false);
  await server.loaded;
  const names = new Set(listDeployments(server.store, { all: true }).map((d) => d.name));
  names.add("extra");
  names.delete("d98");
  names.delete("d99");
  const changed = [...Array(98).keys()].map((i) => `d${i}`).concat("extra");
  await until(() => consistent(server!.store, names, changed));
  // The deployments the save removed have no planned run left.
  const removed = listDeployments(server.store, { all: true }).filter((d) => !names.has(d.name));
  expect(removed.map((d) => [d.name, plannedRuns(server!.store, d.id).length])).toEqual([
    ...removed.map((d) => [d.name, 0]),
  ]);
}, 300_000);

test("a restart in the middle of a load loses nothing and plans no slot twice", async () => {
  const dir = largeProject(800);
  server = await startServer({ dir, port: 0, worker: false, retention: false, waitForLoad: false });
  // Stopped as soon as some deployments are written, long before all are planned.
  await until(() => listDeployments(server!.store).length > 0, 60_000);
  await server.stop();
  server = await startServer({ dir, port: 0, worker: false, retention: false });
  const rows = listDeployments(server.store);
  expect(rows).toHaveLength(800);
  for (const row of rows) {
    const runs = plannedRuns(server.store, row.id);
    expect(runs.length).toBeGreaterThan(0);
    // One run per slot: no two planned runs of a deployment at the same time.
    expect(new Set(runs.map((r) => r.scheduled_at)).size).toBe(runs.length);
  }
}, 300_000);

test("the deployments a start deploys are named in one log message, not one call each", async () => {
  const dir = largeProject(200);
  const infos: unknown[][] = [];
  const batches: string[][] = [];
  server = await startServer({
    dir,
    port: 0,
    worker: false,
    retention: false,
    logger: {
      info: (...args) => infos.push(args),
      warn() {},
      error() {},
      infoLines: (lines) => batches.push(lines),
    },
  });
  const named = batches.filter((lines) => lines.some((l) => l.startsWith("deployed d")));
  expect(named).toHaveLength(1);
  expect(new Set(named[0])).toEqual(
    new Set(Array.from({ length: 200 }, (_, i) => `deployed d${i}`)),
  );
  expect(infos.filter((args) => String(args[0]).startsWith("deployed d"))).toEqual([]);
}, 300_000);
