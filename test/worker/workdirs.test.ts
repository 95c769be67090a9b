import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
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
