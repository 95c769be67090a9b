import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { orch, reusablePort, runCommand, spawnOrch, tempDir } from "../helpers.ts";

// `.orch/` holds the API token, the secrets key and the store: git must never offer it, however
// the project was made (orch init writes a .gitignore; `orch up` in a repository does not).
let dir: string;
let cleanup: () => void;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  expect((await runCommand(["git", "init", "-q", dir])).code).toBe(0);
  await Bun.write(join(dir, "flows/a.yaml"), 'deployments:\n  - name: a\n    command: ["true"]\n');
});

afterEach(() => cleanup());

/** What `git status` would offer to commit under the data dir. */
async function untrackedOrch(): Promise<string[]> {
  const status = await runCommand(["git", "status", "--porcelain", "--untracked-files=all"], {
    cwd: dir,
  });
  expect(status.code).toBe(0);
  return status.stdout.split("\n").filter((line) => line.includes(".orch"));
}

test("orch up in a git repository not made by orch init keeps .orch/ out of git", async () => {
  const up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  try {
    await up.waitFor("orch is up at");
    const set = await orch(["secrets", "set", "pw", "--from-file", join(dir, "flows/a.yaml")], {
      cwd: dir,
    });
    expect(set.code).toBe(0);
    expect(await untrackedOrch()).toEqual([]);
  } finally {
    up.proc.kill("SIGTERM");
    await up.proc.exited;
  }
  expect(await untrackedOrch()).toEqual([]);
  // The user's own files are still offered: only the data dir is kept out.
  const status = await runCommand(["git", "status", "--porcelain", "--untracked-files=all"], {
    cwd: dir,
  });
  expect(status.stdout).toContain("flows/a.yaml");
});

test("orch deploy without a server, the first command in a repository, keeps .orch/ out of git", async () => {
  expect((await orch(["deploy", "--dir", dir])).code).toBe(0);
  expect(await untrackedOrch()).toEqual([]);
});

test("orch worker with --dir in a checkout keeps .orch-worker/ out of git: its reports hold log lines", async () => {
  const port = reusablePort();
  const url = `http://127.0.0.1:${port}`;
  const up = spawnOrch(["up", "--headless", "--no-worker", "--port", String(port), "--dir", dir]);
  let worker: ReturnType<typeof spawnOrch> | undefined;
  try {
    await up.waitFor("orch is up at");
    const token = join(dir, ".orch/token");
    worker = spawnOrch(["worker", "--api", url, "--token-file", token, "--dir", dir]);
    await worker.waitFor("takes runs of pool default");
    const run = await orch(["run", "a", "--watch"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(existsSync(join(dir, ".orch-worker"))).toBe(true);
    const status = await runCommand(["git", "status", "--porcelain", "--untracked-files=all"], {
      cwd: dir,
    });
    expect(status.stdout.split("\n").filter((line) => line.includes(".orch"))).toEqual([]);
    expect(status.stdout).toContain("flows/a.yaml");
  } finally {
    worker?.proc.kill("SIGTERM");
    await worker?.proc.exited;
    up.proc.kill("SIGTERM");
    await up.proc.exited;
  }
});
