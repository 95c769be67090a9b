import { cpSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { DeploymentJson } from "../../src/client/index.ts";
import { orch, projectServer, tempDir } from "../helpers.ts";

// flows/ itself goes and comes back under a running `orch up` (a checkout of a branch without
// it, a move, rm -rf and a restore): its deployments go with it, come back with it, and the
// watcher goes on seeing saves afterwards.

const project = tempDir("orch-flows-folder-");
const dir = project.dir;
// Out of the project, as a checkout, a move elsewhere or a backup tool takes it.
const elsewhere = tempDir("orch-flows-away-");
const away = join(elsewhere.dir, "flows");
const server = projectServer(() => dir);
const run = (...args: string[]) => orch([...args, "--dir", dir]);

const definition = (description: string) =>
  `deployments:\n  - name: hello\n    description: ${description}\n    command: ["echo", "hello"]\n  - name: other\n    command: ["echo", "other"]\n`;

/** The live deployments' names and descriptions, as `deployments ls --json` lists them. */
async function live(): Promise<string[]> {
  const r = await run("deployments", "ls", "--json");
  expect(r.code, r.stderr).toBe(0);
  const list = JSON.parse(r.stdout) as DeploymentJson[];
  return list.map((d) => `${d.name}: ${d.description || "-"}`).sort();
}

/** Poll until the live deployments are `expected` (the watcher redeploys on its own time). */
async function until(expected: string[], ms = 15_000): Promise<void> {
  const deadline = performance.now() + ms;
  for (;;) {
    const now = await live();
    if (JSON.stringify(now) === JSON.stringify(expected)) return;
    if (performance.now() > deadline)
      throw new Error(`deployments are ${JSON.stringify(now)}, not ${JSON.stringify(expected)}`);
    await Bun.sleep(100);
  }
}

beforeAll(async () => {
  await Bun.write(join(dir, "flows/hello.yaml"), definition("first"));
  await server.start();
  await until(["hello: first", "other: -"]);
});
afterAll(async () => {
  await server.stop();
  project.cleanup();
  elsewhere.cleanup();
});

/**
 * Saves are seen: a file added (which no pass read before, so only a live watcher finds it) is
 * deployed, then an edit of hello.yaml is.
 */
async function savesAreSeen(tag: string): Promise<void> {
  writeFileSync(
    join(dir, "flows/more.yaml"),
    `deployments:\n  - name: more\n    description: ${tag}\n    command: ["echo", "more"]\n`,
  );
  writeFileSync(join(dir, "flows/hello.yaml"), definition(tag));
  await until([`hello: ${tag}`, `more: ${tag}`, "other: -"]);
  rmSync(join(dir, "flows/more.yaml"));
  await until([`hello: ${tag}`, "other: -"]);
}

test("flows/ taken away takes its deployments out; back as a new folder (a checkout), they return and saves are seen again", async () => {
  renameSync(join(dir, "flows"), away);
  await until([]);
  const listed = await run("deployments", "ls");
  expect(listed.stderr).toContain("no deployments; add one to flows/*.yaml");

  // A checkout writes the folder anew: another folder at the same path.
  cpSync(away, join(dir, "flows"), { recursive: true });
  rmSync(away, { recursive: true });
  await until(["hello: first", "other: -"]);
  await savesAreSeen("second");
});

test("flows/ moved away and moved back (the same folder) is watched again", async () => {
  renameSync(join(dir, "flows"), away);
  await until([]);
  renameSync(away, join(dir, "flows"));
  await until(["hello: second", "other: -"]);
  await savesAreSeen("third");
});

test("flows/ removed and restored at once (rm -rf, then a copy) keeps being watched", async () => {
  cpSync(join(dir, "flows"), away, { recursive: true });
  rmSync(join(dir, "flows"), { recursive: true });
  cpSync(away, join(dir, "flows"), { recursive: true });
  rmSync(away, { recursive: true });
  await savesAreSeen("fourth");
});

test("flows/ made after orch up started is watched and deployed", async () => {
  renameSync(join(dir, "flows"), away);
  await until([]);
  rmSync(away, { recursive: true });
  await Bun.write(join(dir, "flows/new.yaml"), definition("made later"));
  await until(["hello: made later", "other: -"]);
});

test("deployments ls tells valid files that define no deployment from invalid ones", async () => {
  writeFileSync(join(dir, "flows/new.yaml"), "deployments: []\n");
  await until([]);
  const valid = await run("deployments", "ls");
  expect(valid.stderr).toContain(
    "flows/ has 1 definition file, and the server holds no deployment",
  );
  expect(valid.stderr).not.toContain("none of them holds a valid deployment");

  writeFileSync(join(dir, "flows/new.yaml"), "deployments:\n  - name: [\n");
  const deadline = performance.now() + 15_000;
  let invalid = await run("deployments", "ls");
  while (!invalid.stderr.includes("1 definition file is invalid")) {
    if (performance.now() > deadline) throw new Error(`never invalid: ${invalid.stderr}`);
    await Bun.sleep(100);
    invalid = await run("deployments", "ls");
  }
  expect(invalid.stderr).toContain("none of them holds a valid deployment");
});
