import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

async function initProject() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  expect((await orch(["init", t.dir])).code).toBe(0);
  return t.dir;
}

test("deploy --check lists every problem with file:line:column, exits 2 and writes nothing", async () => {
  const dir = await initProject();
  writeFileSync(
    join(dir, "flows/bad.yaml"),
    'deployments:\n  - name: bad\n    command: [true]\n    schedule: { cron: "* * * * *" }\n    retries: -1\n',
  );
  const { code, stderr } = await orch(["deploy", "--check", "--dir", dir]);
  expect(code).toBe(2);
  expect(stderr).toContain('flows/bad.yaml:4:5: schedule: unknown key (did you mean "schedules"?)');
  expect(stderr).toContain("flows/bad.yaml:5:14: retries: must be >= 0");
  expect(stderr).toMatch(/2 problems in 1 definition file/);
  expect(existsSync(join(dir, ".orch"))).toBe(false);
});

test("deploy --check refuses a missing absolute cwd of a deployment run here, and takes one a remote pool's", async () => {
  const dir = await initProject();
  const gone = join(dir, "no-such-folder");
  const definition = (pool: string) =>
    `work_pools:\n  - name: remote\ndeployments:\n  - name: in-place\n    command: [pwd]\n    cwd: ${gone}\n    work_pool: ${pool}\n`;
  writeFileSync(join(dir, "flows/in-place.yaml"), definition("default"));
  const refused = await orch(["deploy", "--check", "--dir", dir]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain(
    `flows/in-place.yaml:6:10: cwd: "${gone}" does not exist; orch up's worker runs the default pool's deployments here`,
  );
  writeFileSync(join(dir, "flows/in-place.yaml"), definition("remote"));
  const taken = await orch(["deploy", "--check", "--dir", dir]);
  expect(taken.stderr).not.toContain("cwd:");
  expect(taken.code).toBe(0);
});

test("deploy --check fails on a flow that does not build, saying where", async () => {
  const dir = await initProject();
  writeFileSync(
    join(dir, "flows/broken.ts"),
    'import { flow } from "orch";\nexport default flow("b", async () => {\n  const x = ;\n});\n',
  );
  writeFileSync(
    join(dir, "flows/broken.yaml"),
    "deployments:\n  - name: broken\n    flow: ./broken.ts\n",
  );
  const { code, stderr } = await orch(["deploy", "--check", "--dir", dir]);
  expect(code).toBe(2);
  expect(stderr).toMatch(
    /flows\/broken\.yaml:3:11: flow \.\/broken\.ts does not load: syntax error at flows\/broken\.ts:3:13: Unexpected ;/,
  );
  expect(stderr).toMatch(/1 problem in 1 definition file/);
});

test("deploy --check of a flow: export the file lacks points at the definition's line and names the exports", async () => {
  const dir = await initProject();
  writeFileSync(
    join(dir, "flows/two.ts"),
    'import { flow } from "orch";\nexport const main = flow("m", async () => 1);\n',
  );
  writeFileSync(
    join(dir, "flows/two.yaml"),
    "deployments:\n  - name: two\n    flow: ./two.ts:nope\n",
  );
  const { code, stderr } = await orch(["deploy", "--check", "--dir", dir]);
  expect(code).toBe(2);
  expect(stderr).toContain(
    "flows/two.yaml:3:11: flow ./two.ts:nope: ./two.ts has no export named nope (it exports main); write ./two.ts:main",
  );
  expect(stderr).not.toContain("could not read the options");
});

test("parameters that break a TypeScript flow's own schema make the definition invalid, each at file:line:column", async () => {
  const dir = await initProject();
  writeFileSync(
    join(dir, "flows/typed.ts"),
    'import { flow } from "orch";\nexport const work = flow({ name: "work", parameters: { type: "object", properties: { n: { type: "integer", minimum: 1 } }, additionalProperties: false } }, async () => {});\n',
  );
  const definition = (parameters: string, schedule: string) =>
    `deployments:\n  - name: typed\n    flow: ./typed.ts:work\n    parameters: ${parameters}\n    schedules:\n      - interval: 1h\n        parameters: ${schedule}\n`;
  writeFileSync(join(dir, "flows/typed.yaml"), definition('{ n: "three", extra: 1 }', "{ n: -5 }"));
  const check = await orch(["deploy", "--check", "--dir", dir]);
  expect(check.code).toBe(2);
  expect(check.stderr).toContain(
    'flows/typed.yaml:4:22: parameters.n: must be an integer, not "three"',
  );
  expect(check.stderr).toContain(
    "flows/typed.yaml:4:31: parameters.extra: is not in the parameters of flow ./typed.ts:work",
  );
  expect(check.stderr).toContain("flows/typed.yaml:7:26: schedules[0].parameters.n: must be >= 1");
  expect(check.stderr).toMatch(/3 problems in 1 definition file/);
  // Nothing of it is deployed: its runs would be refused one by one when they came due.
  expect((await orch(["deploy", "--dir", dir])).code).toBe(2);
  const ls = await orch(["deployments", "ls", "--dir", dir]);
  expect(ls.stdout).not.toMatch(/\btyped\b/);

  writeFileSync(join(dir, "flows/typed.yaml"), definition("{ n: 3 }", "{ n: 5 }"));
  expect((await orch(["deploy", "--check", "--dir", dir])).code).toBe(0);
  expect((await orch(["deploy", "--dir", dir])).code).toBe(0);
});

test("a flow that stops loading keeps its deployment's last good version, schema and all, until it is fixed", async () => {
  const dir = await initProject();
  const good = (extra = "") =>
    `import { flow } from "orch";\nexport default flow({ name: "typed", parameters: { type: "object", properties: { count: { type: "integer" } }, additionalProperties: false } }, async () => {${extra}});\n`;
  writeFileSync(join(dir, "flows/typed.ts"), good());
  writeFileSync(
    join(dir, "flows/typed.yaml"),
    "deployments:\n  - name: typed\n    flow: ./typed.ts\n",
  );
  expect((await orch(["deploy", "--dir", dir])).code).toBe(0);
  const inspect = async () =>
    JSON.parse((await orch(["deployments", "inspect", "typed", "--json", "--dir", dir])).stdout);
  const v1 = await inspect();
  expect(v1.version).toBe(1);
  expect(v1.parameter_schema).toMatchObject({ properties: { count: { type: "integer" } } });

  // A syntax error in the flow: the definition file is invalid, the deployment stays at v1.
  writeFileSync(join(dir, "flows/typed.ts"), good("\n  const x = ;\n"));
  const broken = await orch(["deploy", "--dir", dir]);
  expect(broken.code).toBe(2);
  expect(broken.stderr).toMatch(
    /flows\/typed\.yaml:3:11: flow \.\/typed\.ts does not load: syntax error at flows\/typed\.ts:3:13: Unexpected ;/,
  );
  const kept = await inspect();
  expect(kept).toMatchObject({
    version: 1,
    parameter_schema: v1.parameter_schema,
    source_invalid: true,
  });
  const ls = await orch(["deployments", "ls", "--dir", dir]);
  expect(ls.stdout).toMatch(/typed\s*!/);

  // Fixed: a new version, valid again.
  writeFileSync(join(dir, "flows/typed.ts"), good("\n  console.log(1);\n"));
  const fixed = await orch(["deploy", "--dir", dir]);
  expect(fixed.code, fixed.stderr).toBe(0);
  expect(await inspect()).toMatchObject({ version: 2, source_invalid: false });
});

test("a flow that could not load is read again at the next redeploy, though its files did not change", async () => {
  const dir = await initProject();
  const mark = join(dir, "ready");
  writeFileSync(
    join(dir, "flows/waits.ts"),
    `import { existsSync } from "node:fs";\nimport { flow } from "orch";\nif (!existsSync(${JSON.stringify(mark)})) throw new Error("not ready yet");\nexport default flow("waits", async () => {});\n`,
  );
  const yaml = (comment: string) =>
    writeFileSync(
      join(dir, "flows/waits.yaml"),
      `# ${comment}\ndeployments:\n  - name: waits\n    flow: ./waits.ts\n`,
    );
  yaml("first");
  const up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  cleanups.push(() => up.proc.kill("SIGTERM"));
  await up.waitFor("orch is up at");
  // Top-level code that threw is told with where it threw, in the flow's own file.
  expect(up.stderr).toMatch(
    /flow \.\/waits\.ts does not load: its top-level code threw at flows\/waits\.ts:3:\d+: not ready yet/,
  );
  // What the flow needed is there now; its files are the same, the definition is saved again.
  writeFileSync(mark, "");
  yaml("second");
  await up.waitFor("waits.yaml is valid again", 15_000);
  const ls = await orch(["deployments", "ls", "--json", "--dir", dir]);
  expect(JSON.parse(ls.stdout).map((d: { name: string }) => d.name)).toContain("waits");
});

test("deploy without a server registers the definitions; deployments ls/inspect show them", async () => {
  const dir = await initProject();
  const deployed = await orch(["deploy", "--dir", dir]);
  expect(deployed.code).toBe(0);
  expect(deployed.stderr).toMatch(/created hello/);

  const ls = await orch(["deployments", "ls", "--json", "--dir", dir]);
  expect(ls.code).toBe(0);
  const list = JSON.parse(ls.stdout);
  expect(list.map((d: { name: string }) => d.name)).toEqual(["etl", "hello"]);
  expect(list[1]).toMatchObject({
    name: "hello",
    version: 1,
    command: ["echo", "hello, {{ parameters.name }}"],
    flow: null,
    paused: false,
    tags: ["example"],
    parameters: { name: "world" },
    schedules: [{ interval_ms: 60_000, timezone: "UTC" }],
    source: "flows/hello.yaml:4",
  });
  expect(list[0]).toMatchObject({ name: "etl", flow: "./etl.ts", source: "flows/hello.yaml:13" });
  expect(list[0]).toHaveProperty("next_run");

  const inspect = await orch(["deployments", "inspect", "etl", "--json", "--dir", dir]);
  const detail = JSON.parse(inspect.stdout);
  expect(detail.versions).toEqual([
    {
      version: 1,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      created_at: expect.any(String),
      active: true,
    },
  ]);
  expect(detail).toHaveProperty("next_runs");

  const human = await orch(["deployments", "ls", "--dir", dir]);
  expect(human.stdout).toMatch(
    /^NAME\s+VERSION\s+FLOW OR COMMAND\s+SCHEDULES\s+NEXT RUN\s+STATUS\s+SOURCE$/m,
  );
  expect(human.stdout).toMatch(/^hello\s+v1\s+.*every 1m/m);
  // The next run's time says its zone.
  expect(human.stdout).toMatch(/^hello\s.*\d\d:\d\d:\d\d UTC([+-]\d\d:\d\d)?\s/m);

  const missing = await orch(["deployments", "inspect", "nope", "--dir", dir]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/no deployment named "nope"/);
});

test("pause, resume and rm", async () => {
  const dir = await initProject();
  await orch(["deploy", "--dir", dir]);
  const paused = JSON.parse(
    (await orch(["deployments", "pause", "hello", "--json", "--dir", dir])).stdout,
  );
  expect(paused.paused).toBe(true);
  const resumed = JSON.parse(
    (await orch(["deployments", "resume", "hello", "--json", "--dir", dir])).stdout,
  );
  expect(resumed.paused).toBe(false);
  const rm = await orch(["deployments", "rm", "hello", "--dir", dir]);
  expect(rm.code).toBe(0);
  expect(rm.stderr).toMatch(/still defined at flows\/hello.yaml:4/);
  const ls = JSON.parse((await orch(["deployments", "ls", "--json", "--dir", dir])).stdout);
  expect(ls.map((d: { name: string }) => d.name)).toEqual(["etl"]);
  const all = JSON.parse(
    (await orch(["deployments", "ls", "--all", "--json", "--dir", dir])).stdout,
  );
  expect(all.find((d: { name: string }) => d.name === "hello")).toMatchObject({ removed: true });
});

test("with orch up running, saving a definition redeploys it, and commands go through its API", async () => {
  const dir = await initProject();
  const up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  cleanups.push(() => up.proc.kill("SIGKILL"));
  await up.waitFor("orch is up at");
  expect(up.stderr).toMatch(/deployed hello/);
  // Definition files are parsed on a thread of their own, in the executable too.
  expect(up.stderr).not.toContain("parsed on the server's thread");

  const yaml = readFileSync(join(dir, "flows/hello.yaml"), "utf8");
  writeFileSync(join(dir, "flows/hello.yaml"), yaml.replace("name: world", "name: orch"));
  await up.waitFor("redeployed hello", 3000);
  const ls = JSON.parse((await orch(["deployments", "ls", "--json", "--dir", dir])).stdout);
  expect(ls.find((d: { name: string }) => d.name === "hello")).toMatchObject({
    version: 2,
    parameters: { name: "orch" },
  });

  writeFileSync(join(dir, "flows/hello.yaml"), yaml.replace("interval: 1m", "interval: soon"));
  await up.waitFor("flows/hello.yaml is invalid", 3000);
  expect(up.stderr).toMatch(
    /flows\/hello\.yaml:\d+:\d+: schedules\[0\]\.interval: "soon" is not a duration/,
  );
  expect(up.stderr).toContain("flows/hello.yaml is invalid; its deployments keep their last good");
  // A new file that never deployed has no last good version: the log says what it means.
  writeFileSync(join(dir, "flows/new.yaml"), "deployments:\n  - name: fresh\n    command: 5\n");
  await up.waitFor("flows/new.yaml is invalid; nothing in it is deployed until it is fixed", 3000);
  up.proc.kill("SIGTERM");
  expect(await up.proc.exited).toBe(0);
});

test("commands find the project from a folder inside it, and say so when there is none", async () => {
  const dir = await initProject();
  await orch(["deploy", "--dir", dir]);
  const inside = await orch(["deployments", "ls", "--json"], { cwd: join(dir, "flows") });
  expect(inside.code).toBe(0);
  expect(JSON.parse(inside.stdout).map((d: { name: string }) => d.name)).toEqual(["etl", "hello"]);
  expect(existsSync(join(dir, "flows/.orch"))).toBe(false);

  const empty = tempDir();
  cleanups.push(empty.cleanup);
  const none = await orch(["runs", "ls"], { cwd: empty.dir });
  expect(none.code).toBe(2);
  expect(none.stderr).toMatch(/no orch project in .* or above .*orch init/);
  const up = await orch(["up", "--headless", "--port", "0"], { cwd: empty.dir });
  expect(up.code).toBe(2);
  expect(existsSync(join(empty.dir, ".orch"))).toBe(false);
  expect(existsSync(join(empty.dir, "flows"))).toBe(false);
});

test("deploy --check blames a duplicate name where a deploy does, and ls tells of files never valid", async () => {
  const dir = await initProject();
  writeFileSync(join(dir, "flows/a.yaml"), "deployments:\n  - name: sync\n    command: [true]\n");
  expect((await orch(["deploy", "--dir", dir])).code).toBe(0);
  writeFileSync(
    join(dir, "flows/b.yaml"),
    "deployments:\n  - name: other\n    command: [true]\n  - name: sync\n    command: [false]\n",
  );
  writeFileSync(join(dir, "flows/never.yaml"), "deployments:\n  - name: never\n    command: 5\n");
  const check = await orch(["deploy", "--check", "--dir", dir]);
  expect(check.code).toBe(2);
  // The file that holds "sync" keeps it (as a deploy decides); only the newcomer is in error.
  expect(check.stderr).toContain(
    'flows/b.yaml:4:11: deployment "sync" is also defined at flows/a.yaml:2:11; names are unique in a project',
  );
  expect(check.stderr).not.toMatch(/flows\/a\.yaml:2[:\d]*: deployment/);
  const deploy = await orch(["deploy", "--dir", dir]);
  expect(deploy.code).toBe(2);
  expect(deploy.stderr).toContain('flows/b.yaml:4:11: deployment "sync" is also defined at');
  expect(deploy.stderr).not.toMatch(/flows\/a\.yaml:2[:\d]*: deployment/);

  // Neither b.yaml nor never.yaml was ever valid: ls still says they are invalid, and where to look.
  const ls = await orch(["deployments", "ls", "--dir", dir]);
  expect(ls.code).toBe(0);
  expect(ls.stdout).toMatch(/^sync\s+v1\b/m);
  expect(ls.stderr).toContain(
    "2 definition files are invalid: flows/b.yaml, flows/never.yaml; what they define is not deployed until they are fixed. orch deploy --check shows the problems",
  );
  expect(ls.stderr).toContain("GET /api/problems");
});

test("deployments ls without a server shows each schedule's next run, computed from the definitions", async () => {
  const dir = await initProject();
  writeFileSync(
    join(dir, "flows/hourly.yaml"),
    'deployments:\n  - name: hourly\n    command: [true]\n    schedules:\n      - cron: "0 * * * *"\n  - name: by-hand\n    command: [true]\n',
  );
  expect((await orch(["deploy", "--dir", dir])).code).toBe(0);
  const listed = JSON.parse((await orch(["deployments", "ls", "--json", "--dir", dir])).stdout);
  const next = listed.find((d: { name: string }) => d.name === "hourly").next_run;
  const hour = new Date(Math.floor(Date.now() / 3_600_000 + 1) * 3_600_000).toISOString();
  // The next whole hour (or the one after, when the hour turned between the two readings).
  expect([hour, new Date(Date.parse(hour) + 3_600_000).toISOString()]).toContain(next);
  expect(listed.find((d: { name: string }) => d.name === "by-hand").next_run).toBeNull();
  // The pool no file declares is named as the web UI names it, in a word that is no error.
  expect((await orch(["pools", "ls", "--dir", dir])).stdout).toMatch(/^default \(automatic\)\s/m);
});

test("orch init in a subfolder of a project says so, and how to update that project instead", async () => {
  const dir = await initProject();
  mkdirSync(join(dir, "sub"));
  const nested = await orch(["init"], { cwd: join(dir, "sub") });
  expect(nested.code).toBe(0);
  expect(nested.stderr).toContain(
    `${join(dir, "sub")} is inside the project at ${dir}: making a new project here; to bring that one's node_modules/orch up to date, run orch init ${dir}`,
  );
  // The project itself, made again, hears nothing of the kind.
  expect((await orch(["init"], { cwd: dir })).stderr).not.toContain("is inside the project");
});
