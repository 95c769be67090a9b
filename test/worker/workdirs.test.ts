import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { createWorkdirs } from "../../src/worker/workdirs.ts";
import { tempDir } from "../helpers.ts";

let cleanup = () => {};
afterEach(() => cleanup());

function tree() {
  const t = tempDir();
  cleanup = t.cleanup;
  const version = join(t.dir, "tree");
  mkdirSync(join(version, "sub"), { recursive: true });
  writeFileSync(join(version, "a.txt"), "a\n");
  writeFileSync(join(version, "sub/b.txt"), "b\n");
  return { root: join(t.dir, "runs"), version };
}

test("an untouched folder is given to the next run; a changed one never is", async () => {
  const { root, version } = tree();
  const workdirs = createWorkdirs(root);
  const first = workdirs.acquire(version);
  expect(readFileSync(join(first.path, "sub/b.txt"), "utf8")).toBe("b\n");
  workdirs.release(first);
  const again = workdirs.acquire(version);
  expect(again.path).toBe(first.path);

  for (const change of [
    (p: string) => writeFileSync(join(p, "a.txt"), "changed\n"),
    (p: string) => writeFileSync(join(p, "sub/new.txt"), "new\n"),
    (p: string) => chmodSync(join(p, "a.txt"), 0o700),
  ]) {
    const used = workdirs.acquire(version);
    change(used.path);
    workdirs.release(used);
    const next = workdirs.acquire(version);
    expect(next.path).not.toBe(used.path);
    expect(readFileSync(join(next.path, "a.txt"), "utf8")).toBe("a\n");
    expect(existsSync(join(next.path, "sub/new.txt"))).toBe(false);
    workdirs.release(next);
  }
});

test("two runs at once get two folders", () => {
  const { root, version } = tree();
  const workdirs = createWorkdirs(root);
  const a = workdirs.acquire(version);
  const b = workdirs.acquire(version);
  expect(a.path).not.toBe(b.path);
});

test("a run may change its own copy; the version's files stay read-only", () => {
  const { root, version } = tree();
  chmodSync(join(version, "a.txt"), 0o444);
  const workdirs = createWorkdirs(root);
  const w = workdirs.acquire(version);
  expect(statSync(join(w.path, "a.txt")).mode & 0o200).toBe(0o200);
  expect(statSync(join(version, "a.txt")).mode & 0o222).toBe(0);
});

test("at start, only the folders of worker processes that are gone are deleted", () => {
  const { root, version } = tree();
  const live = createWorkdirs(root).acquire(version);
  mkdirSync(join(root, "999999999-1/1"), { recursive: true });
  createWorkdirs(root);
  expect(existsSync(join(root, "999999999-1"))).toBe(false);
  expect(existsSync(live.path)).toBe(true);
});
