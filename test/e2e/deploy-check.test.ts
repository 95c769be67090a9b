import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { orch, projectServer, tempDir } from "../helpers.ts";

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** A project whose files hold a problem of every kind a check finds, several in one file. */
function brokenProject(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const write = (path: string, text: string) => writeFileSync(join(t.dir, path), text);
  mkdirSync(join(t.dir, "flows"));
  write(
    "flows/a.yaml",
    `deployments:
  - name: cron
    command: [echo]
    schedules:
      - cron: "61 * * * *"
  - name: gone
    flow: ./missing.ts
  - name: secret
    command: [echo]
    env: { KEY: "{{ secrets.api_key }}" }
  - name: negative
    command: [echo]
    retries: -1
    env: { KEY: "{{ secrets.other_key }}" }
  - name: broken
    flow: ./broken.ts
  - name: export
    flow: ./two.ts:nope
  - name: shared
    command: [echo]
`,
  );
  write(
    "flows/broken.ts",
    'import { flow, getVariable } from "orch";\nexport default flow("b", async () => {\n  await getVariable("region");\n  const x = ;\n});\n',
  );
  write(
    "flows/two.ts",
    'import { flow } from "orch";\nexport const main = flow("m", async () => 1);\n',
  );
  write(
    "flows/b.yaml",
    'deployments:\n  - name: shared\n    command: [echo]\n    env: { Y: "{{ variables.bucket }}" }\n',
  );
  write("flows/c.yaml", 'deployments:\n  - name: seven\n    command: ["echo"\n');
  return t.dir;
}

/** Every problem of brokenProject, each where it is written, in the order a check lists them. */
const EVERY_PROBLEM = [
  'flows/a.yaml:5:15: schedules[0].cron: "61 * * * *" is not a valid cron expression',
  'flows/a.yaml:7:11: flow: "./missing.ts" does not exist',
  'flows/a.yaml:10:17: no secret named "api_key"; set it with orch secrets set api_key',
  "flows/a.yaml:13:14: retries: must be >= 0",
  'flows/a.yaml:14:17: no secret named "other_key"; set it with orch secrets set other_key',
  "flows/a.yaml:16:11: flow ./broken.ts does not load: syntax error at flows/broken.ts:4:13",
  "flows/a.yaml:18:11: flow ./two.ts:nope: ./two.ts has no export named nope (it exports main)",
  'flows/a.yaml:19:11: deployment "shared" is also defined at flows/b.yaml:2:11',
  'flows/broken.ts:3:9: no variable named "region"; set it with orch variables set region VALUE',
  'flows/b.yaml:2:11: deployment "shared" is also defined at flows/a.yaml:19:11',
  'flows/b.yaml:4:15: no variable named "bucket"; set it with orch variables set bucket VALUE',
  "flows/c.yaml:3:14: this [ is never closed: end the list with ]",
];

/** Whether every problem is in `stderr`, in EVERY_PROBLEM's order. */
function inOrder(stderr: string): void {
  const at = EVERY_PROBLEM.map((problem) => stderr.indexOf(problem));
  expect(
    at.filter((i) => i < 0),
    stderr,
  ).toEqual([]);
  expect(at).toEqual([...at].sort((a, b) => a - b));
}

test("deploy --check reports every problem of every file in one pass, each at file:line:col", async () => {
  const dir = brokenProject();
  const check = await orch(["deploy", "--check", "--dir", dir]);
  expect(check.code).toBe(2);
  inOrder(check.stderr);
  expect(check.stderr).toContain("12 problems in 3 definition files");

  const json = await orch(["deploy", "--check", "--json", "--dir", dir]);
  expect(json.code).toBe(2);
  const report = JSON.parse(json.stdout) as { invalid: { problems: unknown[] }[] };
  expect(report.invalid.flatMap((f) => f.problems)).toHaveLength(EVERY_PROBLEM.length);
});

test("a running server's load of the project reports the same problems as the check", async () => {
  const dir = brokenProject();
  const server = projectServer(() => dir);
  await server.start();
  cleanups.push(() => server.stop());
  const deploy = await orch(["deploy", "--dir", dir]);
  expect(deploy.code).toBe(2);
  inOrder(deploy.stderr);
  expect(deploy.stderr).toContain("12 problems in 3 definition files");
});

test("deploy --check --json says what a deploy would: created, updated, unchanged, removed", async () => {
  const t = tempDir();
  cleanups.push(t.cleanup);
  mkdirSync(join(t.dir, "flows"));
  const write = (text: string) => writeFileSync(join(t.dir, "flows/a.yaml"), text);
  const deployments = (names: Record<string, string>) =>
    `deployments:\n${Object.entries(names)
      .map(([name, command]) => `  - name: ${name}\n    command: ${command}\n`)
      .join("")}`;
  write(deployments({ same: "[true]", changed: "[true]", dropped: "[true]" }));
  const sets = async (...args: string[]) => {
    const r = await orch([...args, "--json", "--dir", t.dir]);
    expect(r.code, r.stderr).toBe(0);
    const { created, updated, unchanged, removed } = JSON.parse(r.stdout);
    return { created, updated, unchanged, removed };
  };
  expect(await sets("deploy", "--check")).toEqual({
    created: ["same", "changed", "dropped"],
    updated: [],
    unchanged: [],
    removed: [],
  });
  await sets("deploy");
  expect(await sets("deploy", "--check")).toEqual({
    created: [],
    updated: [],
    unchanged: ["same", "changed", "dropped"],
    removed: [],
  });
  write(deployments({ same: "[true]", changed: '["echo", "hi"]', added: "[true]" }));
  const expected = {
    created: ["added"],
    updated: ["changed"],
    unchanged: ["same"],
    removed: ["dropped"],
  };
  expect(await sets("deploy", "--check")).toEqual(expected);
  expect(await sets("deploy")).toEqual(expected);
  // With a server running, the check compares with what the server holds.
  const server = projectServer(() => t.dir);
  await server.start();
  cleanups.push(() => server.stop());
  const live = { created: [], updated: [], unchanged: ["same", "changed", "added"], removed: [] };
  expect(await sets("deploy", "--check")).toEqual(live);
  // Rolled back with its files as they were, a deployment keeps its rollback: a deploy leaves it
  // unchanged, and the check says so, from the server or from the store.
  const rollback = await orch(["deployments", "rollback", "changed", "--dir", t.dir]);
  expect(rollback.code, rollback.stderr).toBe(0);
  expect(await sets("deploy", "--check")).toEqual(live);
  await server.stop();
  expect(await sets("deploy", "--check")).toEqual(live);
  expect(await sets("deploy")).toEqual(live);
  // A change while rolled back ends the rollback: the check says so as the deploy does (v1 was
  // active; the change makes v3, after the newest).
  write(deployments({ same: "[true]", changed: '["echo", "bye"]', added: "[true]" }));
  const ended = async (...args: string[]) => {
    const r = await orch([...args, "--json", "--dir", t.dir]);
    expect(r.code, r.stderr).toBe(0);
    const { updated, rollbacks_ended } = JSON.parse(r.stdout);
    return { updated, rollbacks_ended };
  };
  const endsIt = {
    updated: ["changed"],
    rollbacks_ended: [{ name: "changed", was: 1, version: 3 }],
  };
  expect(await ended("deploy", "--check")).toEqual(endsIt);
  expect(await ended("deploy")).toEqual(endsIt);
});

test("deploy --check says which deployments a deploy would remove, as --json lists them", async () => {
  const t = tempDir();
  cleanups.push(t.cleanup);
  mkdirSync(join(t.dir, "flows"));
  writeFileSync(
    join(t.dir, "flows/keep.yaml"),
    "deployments:\n  - name: kept\n    command: [true]\n",
  );
  writeFileSync(
    join(t.dir, "flows/trig.yaml"),
    "deployments:\n  - name: after-hello\n    command: [true]\n  - name: on-custom\n    command: [true]\n",
  );
  expect((await orch(["deploy", "--dir", t.dir])).code).toBe(0);
  // An editor that truncates before writing, or a bad merge: the file is valid and empty.
  writeFileSync(join(t.dir, "flows/trig.yaml"), "");
  const check = await orch(["deploy", "--check", "--dir", t.dir]);
  expect(check.code, check.stderr).toBe(0);
  expect(check.stderr).toContain("✔ 1 deployment valid");
  expect(check.stderr).toContain(
    "would remove: after-hello, on-custom (no definition file holds them now; a deploy takes them off scheduling, their runs stay)",
  );
  // The check wrote nothing: both are still deployed.
  const ls = await orch(["deployments", "ls", "--json", "--dir", t.dir]);
  expect(JSON.parse(ls.stdout).map((d: { name: string }) => d.name)).toEqual([
    "after-hello",
    "kept",
    "on-custom",
  ]);
});
