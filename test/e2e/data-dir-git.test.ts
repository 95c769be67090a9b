import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { orch, runCommand, spawnOrch, tempDir } from "../helpers.ts";

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
