import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { tempDir } from "../helpers.ts";

let dir: string;
let cleanup = () => {};

beforeEach(() => {
  const t = tempDir();
  dir = t.dir;
  cleanup = t.cleanup;
  chmodSync(dir, 0o755);
});

afterEach(() => cleanup());

test("a file this user may only read (a token, server.json) is read, and a folder is a folder", async () => {
  const token = join(dir, "token");
  writeFileSync(token, "s3cret");
  chmodSync(token, 0o444);
  const empty = join(dir, "empty");
  writeFileSync(empty, "");
  chmodSync(empty, 0o444);
  mkdirSync(join(dir, "folder"));
  const script = join(dir, "read.ts");
  const quickFs = join(import.meta.dirname, "../../src/core/quick-fs.ts");
  writeFileSync(
    script,
    `import { pathKind, readSmallFile } from ${JSON.stringify(quickFs)};
const [token, empty, folder] = process.argv.slice(2);
console.log(JSON.stringify({
  token: readSmallFile(token), tokenKind: pathKind(token),
  empty: readSmallFile(empty), folderKind: pathKind(folder),
  missing: readSmallFile(token + ".none"), missingKind: pathKind(token + ".none"),
}));`,
  );
  chmodSync(script, 0o644);
  // As a user who may not write the files (root may write anything: then as nobody).
  const asUser =
    process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
  const child = Bun.spawn(
    [...asUser, process.execPath, script, token, empty, join(dir, "folder")],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  expect(err).toBe("");
  expect(code).toBe(0);
  expect(JSON.parse(out)).toEqual({
    token: "s3cret",
    tokenKind: "file",
    empty: "",
    folderKind: "folder",
    missing: null,
    missingKind: null,
  });
});
