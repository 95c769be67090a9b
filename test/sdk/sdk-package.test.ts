import { join } from "node:path";
import { expect, test } from "vitest";
import { SDK_PACKAGE_FILES } from "../../src/sdk/package.generated.ts";

test("the package orch init writes is generated from the SDK's source, both entries sharing one SDK", () => {
  const check = Bun.spawnSync(["bun", "scripts/gen-sdk-package.ts", "--check"], {
    cwd: join(import.meta.dirname, "../.."),
    stderr: "pipe",
  });
  expect(check.stderr.toString()).toBe("");
  expect(check.exitCode).toBe(0);
  const files = Object.keys(SDK_PACKAGE_FILES);
  expect(files).toEqual(expect.arrayContaining(["index.js", "testing.js", "types/sdk/index.d.ts"]));
  expect(files).toContain("types/sdk/testing.d.ts");
  // Editors read the SDK's names from the package's types (orch init writes no other copy).
  const names = Object.entries(SDK_PACKAGE_FILES)
    .filter(([f]) => f.startsWith("types/"))
    .map(([, text]) => text)
    .join("\n");
  for (const name of ["flow", "task", "isFlow", "FlowOptions", "TaskOptions", "Flow", "Task"]) {
    expect(names).toMatch(new RegExp(`export (declare )?(function|interface|type) ${name}\\b`));
  }
  // Both entries import the same chunk: one flow context, one task override hook.
  const shared = files.filter((f) => /^chunk-.*\.js$/.test(f));
  const importsOf = (f: string) => shared.filter((c) => SDK_PACKAGE_FILES[f]!.includes(`./${c}`));
  expect(importsOf("index.js").filter((c) => importsOf("testing.js").includes(c))).not.toEqual([]);
  // No Bun-only API in what Node runs.
  for (const f of files.filter((f) => f.endsWith(".js"))) {
    expect(SDK_PACKAGE_FILES[f]).not.toMatch(/\bBun\.(sleep|spawn|file|write|serve)\b/);
  }
});
