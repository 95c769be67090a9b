import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DeploymentDetail, RunJson } from "../../src/client/index.ts";
import { orch, projectServer, tempDir } from "../helpers.ts";

let dir: string;
let cleanup: () => void;
const server = projectServer(() => dir);
const startUp = server.start;
const stopUp = server.stop;

const run = (...args: string[]) => orch([...args, "--dir", dir]);

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
  // Its version is its whole folder: said at once, since an edit beside it ends the rollback.
  expect(r.stderr).toContain("v1 covers every file in flows/ (a command without include:)");
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
  // Never silently: the server says the rollback ended and how to go back, and so does its event.
  await server.waitForLog(
    "ver: its rollback to v1 ended, its files changed and v3 is active now (orch deployments inspect ver shows what changed; orch deployments rollback ver --to 1 goes back)",
  );
  const events = JSON.parse(
    (await run("events", "ls", "--name", "deployment.updated", "--json")).stdout,
  ) as { payload: { version: number; rollback_ended?: number } }[];
  expect(events.find((e) => e.payload.version === 3)?.payload.rollback_ended).toBe(1);
  expect((await runIt("ver")).out).toBe("three");
  expect((await run("deployments", "rollback", "ver", "--to", "2")).code).toBe(0);
  expect((await runIt("ver")).out).toBe("two");
});

describe("a version changes only when what its runs use changes", () => {
  const DEFS = `deployments:
  - name: report
    flow: ./report.ts
  - name: other
    flow: ./other.ts
  - name: scripted
    command: ["sh", "./run.sh"]
    include: ["run.sh"]
  - name: hello
    command: ["echo", "hello"]
    include: []
  - name: whole
    command: ["sh", "-c", "ls"]
`;
  let project: string;
  const at = (...args: string[]) => orch([...args, "--dir", project]);
  const versions = async () => {
    const r = await at("deployments", "ls", "--json");
    return Object.fromEntries(
      (JSON.parse(r.stdout) as { name: string; version: number }[]).map((d) => [d.name, d.version]),
    );
  };

  beforeAll(async () => {
    project = join(dir, "graph");
    await Bun.write(join(project, "flows/mine/mine.yaml"), DEFS);
    await Bun.write(
      join(project, "flows/mine/report.ts"),
      'import { flow } from "orch";\nimport { format } from "./lib/format";\nexport default flow("report", async () => format(1));\n',
    );
    await Bun.write(
      join(project, "flows/mine/lib/format.ts"),
      'export const format = (n: number) => "n=" + n;\n',
    );
    await Bun.write(
      join(project, "flows/mine/other.ts"),
      'import { flow } from "orch";\nexport default flow("other", async () => 1);\n',
    );
    await Bun.write(join(project, "flows/mine/run.sh"), "echo run\n");
    expect((await at("deploy")).code).toBe(0);
  });

  test("editing one flow file moves that flow's version only (and commands using the whole folder)", async () => {
    expect(await versions()).toEqual({ report: 1, other: 1, scripted: 1, hello: 1, whole: 1 });
    await Bun.write(
      join(project, "flows/mine/report.ts"),
      'import { flow } from "orch";\nimport { format } from "./lib/format";\nexport default flow("report", async () => format(2));\n',
    );
    expect((await at("deploy")).code).toBe(0);
    expect(await versions()).toEqual({ report: 2, other: 1, scripted: 1, hello: 1, whole: 2 });
  });

  test("editing a module a flow imports changes its version, and inspect says which file", async () => {
    await Bun.write(
      join(project, "flows/mine/lib/format.ts"),
      'export const format = (n: number) => "#" + n;\n',
    );
    expect((await at("deploy")).code).toBe(0);
    expect(await versions()).toEqual({ report: 3, other: 1, scripted: 1, hello: 1, whole: 3 });
    const d = JSON.parse(
      (await at("deployments", "inspect", "report", "--json")).stdout,
    ) as DeploymentDetail;
    expect(d.versions.map((v) => [v.version, v.changed])).toEqual([
      [3, ["lib/format.ts"]],
      [2, ["report.ts"]],
      [1, undefined],
    ]);
    expect((await at("deployments", "inspect", "report")).stdout).toContain(
      "changed: lib/format.ts",
    );
  });

  test("include: narrows what a command's version holds", async () => {
    await Bun.write(join(project, "flows/mine/run.sh"), "echo run again\n");
    expect((await at("deploy")).code).toBe(0);
    expect(await versions()).toEqual({ report: 3, other: 1, scripted: 2, hello: 1, whole: 4 });
  });

  test("inspect says which files a version added, removed and changed", async () => {
    await Bun.write(join(project, "flows/mine/backup.sh"), "echo backup\n");
    await Bun.write(join(project, "flows/mine/run.sh"), "echo run once more\n");
    expect((await at("deploy")).code).toBe(0);
    rmSync(join(project, "flows/mine/backup.sh"));
    expect((await at("deploy")).code).toBe(0);
    const d = JSON.parse(
      (await at("deployments", "inspect", "whole", "--json")).stdout,
    ) as DeploymentDetail;
    expect(d.versions.slice(0, 2).map((v) => [v.added, v.removed, v.changed])).toEqual([
      [[], ["backup.sh"], ["backup.sh"]],
      [["backup.sh"], [], ["backup.sh", "run.sh"]],
    ]);
    const shown = (await at("deployments", "inspect", "whole")).stdout;
    expect(shown).toContain("removed: backup.sh");
    expect(shown).toContain("added: backup.sh; changed: run.sh");
  });
});
