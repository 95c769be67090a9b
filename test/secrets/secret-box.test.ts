import { statSync } from "node:fs";
import { afterEach, expect, test } from "vitest";
import { projectPaths } from "../../src/core/index.ts";
import { createSecretBox } from "../../src/secrets/index.ts";
import { ensureDataDir } from "../../src/store/index.ts";
import { tempDir } from "../helpers.ts";

const dirs: { cleanup: () => void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
});

function project() {
  const t = tempDir();
  dirs.push(t);
  const paths = projectPaths(t.dir, {});
  ensureDataDir(paths);
  return paths;
}

test("a sealed value opens under its own name only, and not once altered", () => {
  const paths = project();
  const box = createSecretBox(paths, { ORCH_KEYCHAIN: "off" });
  expect(box.place()).toBeNull();
  const sealed = box.seal("db", "hunter2");
  expect(Buffer.from(sealed).toString("latin1")).not.toContain("hunter2");
  expect(box.open("db", sealed)).toBe("hunter2");
  expect(() => box.open("other", sealed)).toThrow(/cannot be decrypted/);
  const altered = Uint8Array.from(sealed);
  altered[altered.length - 1]! ^= 1;
  expect(() => box.open("db", altered)).toThrow(/cannot be decrypted/);
  expect(box.place()).toEqual({ kind: "file", where: `${paths.data}/secrets.key` });
  expect(statSync(`${paths.data}/secrets.key`).mode & 0o777).toBe(0o600);
  // Another box of the same project reads the same key.
  expect(createSecretBox(paths, { ORCH_KEYCHAIN: "off" }).open("db", sealed)).toBe("hunter2");
});

test("a value sealed with another project's key does not open", () => {
  const sealed = createSecretBox(project(), { ORCH_KEYCHAIN: "off" }).seal("db", "hunter2");
  const other = createSecretBox(project(), { ORCH_KEYCHAIN: "off" });
  other.seal("x", "y");
  expect(() => other.open("db", sealed)).toThrow(/cannot be decrypted/);
});
