import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { DeploymentDetail, RunJson } from "../../src/client/index.ts";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch> | null = null;

const run = (...args: string[]) => orch([...args, "--dir", dir]);

async function startUp() {
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  await up.waitFor("orch is up at");
}

async function stopUp() {
  up?.proc.kill("SIGTERM");
  await up?.proc.exited;
  up = null;
}

async function inspect(name: string): Promise<DeploymentDetail> {
  return JSON.parse((await run("deployments", "inspect", name, "--json")).stdout);
}

/** Poll a deployment until `check` holds (the watcher redeploys on its own time). */
async function until(name: string, check: (d: DeploymentDetail) => boolean, ms = 15_000) {
  const deadline = performance.now() + ms;
  for (;;) {
    const d = await inspect(name);
    if (check(d)) return d;
    if (performance.now() > deadline) throw new Error(`${name} is still v${d.version}`);
    await Bun.sleep(100);
  }
}

/** Run a deployment to its end: the run and what it printed. */
async function runIt(...args: string[]): Promise<{ run: RunJson; out: string }> {
  const r = await run("run", ...args, "--watch", "--json");
  const ended = JSON.parse(r.stdout) as RunJson;
  return { run: ended, out: (await run("runs", "logs", ended.id)).stdout.trim() };
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(
    join(dir, "flows/ver.yaml"),
    'deployments:\n  - name: ver\n    command: ["sh", "./say.sh"]\n',
  );
  await Bun.write(join(dir, "flows/say.sh"), "echo one\n");
  expect((await run("deploy")).code).toBe(0);
  await Bun.write(join(dir, "flows/say.sh"), "echo two\n");
  expect((await run("deploy")).code).toBe(0);
  await startUp();
});

afterAll(async () => {
  await stopUp();
  cleanup();
});

test("--version N runs that version's code; without it, the active one", async () => {
  expect((await inspect("ver")).version).toBe(2);
  const old = await runIt("ver", "--version", "1");
  expect(old.run.version).toBe(1);
  expect(old.out).toBe("one");
  expect((await runIt("ver")).out).toBe("two");
  const missing = await run("run", "ver", "--version", "9");
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain("has no version 9");
});

test("rollback makes an older version active until the files change, across a restart", async () => {
  const r = await run("deployments", "rollback", "ver");
  expect(r.code).toBe(0);
  expect(r.stderr).toContain("runs v1 now");
  expect(r.stderr).toContain("until its files change");
  let d = await inspect("ver");
  expect(d.version).toBe(1);
  expect(d.rolled_back).toBe(true);
  expect(d.versions.filter((v) => v.active).map((v) => v.version)).toEqual([1]);
  expect((await run("deployments", "inspect", "ver")).stdout).toMatch(/v1 .*active \(rolled back/);
  expect((await runIt("ver")).out).toBe("one");

  // A restart deploys the same files again: the rollback holds.
  await stopUp();
  await startUp();
  expect((await inspect("ver")).version).toBe(1);

  // A change of its files makes a new version, numbered after the newest, and active.
  await Bun.write(join(dir, "flows/say.sh"), "echo three\n");
  d = await until("ver", (x) => x.version === 3);
  expect(d.rolled_back).toBe(false);
  expect((await runIt("ver")).out).toBe("three");
  expect((await run("deployments", "rollback", "ver", "--to", "2")).code).toBe(0);
  expect((await runIt("ver")).out).toBe("two");
});
