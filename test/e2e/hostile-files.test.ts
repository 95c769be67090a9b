import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { ORCH, orch, spawnOrch, tempDir } from "../helpers.ts";

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.reverse()) c();
  cleanups = [];
});

const def = (name: string) => `deployments:\n  - name: ${name}\n    command: [echo, ${name}]\n`;

/** 1 + 150 deployments sharing one `env` through aliases. */
function shared(): string {
  let text = "deployments:\n  - name: d0\n    command: [echo]\n    env: &env { A: '1', B: '2' }\n";
  for (let i = 1; i <= 150; i++) text += `  - name: d${i}\n    command: [echo]\n    env: *env\n`;
  return text;
}

const BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ..."bcdefghi".split("").map((n, i) => `${n}: &${n} [${Array(9).fill(`*${"abcdefghi"[i]}`)}]`),
].join("\n");

/** A project whose flows/ holds good files, a shared-alias file, a bomb and special files. */
async function hostileProject() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const outside = tempDir();
  cleanups.push(outside.cleanup);
  expect((await orch(["init", t.dir])).code).toBe(0);
  const flows = join(t.dir, "flows");
  writeFileSync(join(flows, "shared.yaml"), shared());
  writeFileSync(join(flows, "bomb.yaml"), BOMB);
  writeFileSync(join(outside.dir, "out.yaml"), def("outside"));
  symlinkSync("/dev/zero", join(flows, "zero.yaml"));
  symlinkSync(join(outside.dir, "out.yaml"), join(flows, "out.yaml"));
  execFileSync("mkfifo", [join(flows, "pipe.yaml")]);
  return { dir: t.dir, flows, outside: outside.dir };
}

const SKIPPED = [
  /warn skipped flows\/out\.yaml: is a symbolic link to .*out\.yaml, outside the project/,
  /warn skipped flows\/pipe\.yaml: is a named pipe \(FIFO\)/,
  /warn skipped flows\/zero\.yaml: is a symbolic link to \/dev\/zero, outside the project/,
];
const BOMB_PROBLEM = /flows\/bomb\.yaml:6:8: aliases expand this file past 100,000 values/;

test("deploy --check reports the bomb at its place and the skipped files, and no stack trace", async () => {
  const { dir } = await hostileProject();
  const check = await orch(["deploy", "--check", "--dir", dir]);
  expect(check.code).toBe(2);
  for (const line of SKIPPED) expect(check.stderr).toMatch(line);
  expect(check.stderr).toMatch(BOMB_PROBLEM);
  expect(check.stderr).toMatch(/1 problem in 1 definition file/);
  expect(check.stderr).not.toMatch(/^\s+at /m);
});

test("orch up deploys the valid files beside a bomb and special files, and answers health throughout, at start and while they appear", async () => {
  const { dir, flows, outside } = await hostileProject();
  const up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  cleanups.push(() => up.proc.kill("SIGKILL"));
  await up.waitFor("orch is up at", 20_000);
  for (const line of SKIPPED) expect(up.stderr).toMatch(line);
  expect(up.stderr).toMatch(BOMB_PROBLEM);
  expect(up.stderr).toMatch(/deployed d150\n/);
  expect(up.stderr).toMatch(/deployed hello\n/);

  const { url } = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8"));
  let polling = true;
  const answers: number[] = [];
  const failures: string[] = [];
  // Health, over and over, each answer within a generous deadline, while files appear.
  const poller = (async () => {
    while (polling) {
      try {
        const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(10_000) });
        answers.push(res.status);
      } catch (error) {
        failures.push(String(error));
      }
      await Bun.sleep(20);
    }
  })();

  execFileSync("mkfifo", [join(flows, "pipe2.yaml")]);
  symlinkSync("/dev/zero", join(flows, "zero2.yaml"));
  symlinkSync(join(outside, "out.yaml"), join(flows, "out2.yaml"));
  await up.waitFor("skipped flows/pipe2.yaml: is a named pipe (FIFO)", 15_000);
  await up.waitFor("skipped flows/zero2.yaml: is a symbolic link to /dev/zero", 15_000);
  await up.waitFor("skipped flows/out2.yaml: is a symbolic link to", 15_000);
  // A file saved after them still deploys: neither the watcher nor the server is stuck.
  writeFileSync(join(flows, "after.yaml"), def("after"));
  await up.waitFor("deployed after\n", 15_000);
  polling = false;
  await poller;
  expect(failures).toEqual([]);
  expect(answers.length).toBeGreaterThan(0);
  expect(answers.every((s) => s === 200)).toBe(true);

  const ls = await orch(["deployments", "ls", "--json", "--dir", dir]);
  const names = JSON.parse(ls.stdout).map((d: { name: string }) => d.name);
  expect(names).toEqual(expect.arrayContaining(["hello", "etl", "d0", "d150", "after"]));
  expect(names).not.toContain("outside");
  expect(up.stderr).not.toMatch(/^\s+at /m);
  up.proc.kill("SIGTERM");
  expect(await up.proc.exited).toBe(0);
});

test("a folder that cannot be read is a problem of the definition it is bundled with, and a warning, not a crash", async () => {
  const t = tempDir();
  cleanups.push(t.cleanup);
  chmodSync(t.dir, 0o755);
  mkdirSync(join(t.dir, "flows/secret"), { recursive: true });
  mkdirSync(join(t.dir, "flows/other"));
  writeFileSync(join(t.dir, "flows/etl.yaml"), "deployments:\n  - name: etl\n    flow: ./etl.ts\n");
  writeFileSync(join(t.dir, "flows/etl.ts"), "export default 1;\n");
  writeFileSync(join(t.dir, "flows/other/other.yaml"), def("other"));
  // Unreadable to the user orch runs as: root reads anything, so orch runs as nobody then.
  const root = process.getuid?.() === 0;
  chmodSync(join(t.dir, "flows/secret"), root ? 0o700 : 0o000);
  cleanups.push(() => chmodSync(join(t.dir, "flows/secret"), 0o700));
  const as = root ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
  const proc = Bun.spawn([...as, ORCH, "deploy", "--check", "--dir", t.dir], {
    env: { ...process.env, NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  expect(stderr).toContain(
    "flows/etl.yaml: flows/secret cannot be read (EACCES); make it readable, or list it in .orchignore",
  );
  expect(stderr).toContain(
    "skipped flows/secret: cannot be read (EACCES); the definition files in it are not seen until it is readable",
  );
  expect(stderr).toMatch(/1 problem in 1 definition file/);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(code).toBe(2);
});
