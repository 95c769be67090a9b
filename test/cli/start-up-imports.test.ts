import { existsSync, readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { expect, test } from "vitest";

// Every command pays for what it imports on every call (NOTES.md: start-up). The commands people
// run most load only what they use: read from the source, the modules evaluated before they
// print are their static imports (a dynamic import() is another command's, loaded only when it
// runs; an `import type` is erased). core/index.ts and client/index.ts are the front doors of
// everything (the API's schemas, the shell parser, ...): these commands import the files they
// use by path instead, which `npm run bench -- --only startup` measured as 5 ms of CPU off
// `orch runs ls` (a sixth).

const SRC = resolve(import.meta.dirname, "../../src");
const STATIC = /^\s*(?:import|export)\s+(type\s+)?(?:[^;]*?\sfrom\s*)?["']([^"']+)["']/gm;

/** The modules `entry` evaluates before it runs: files under src/ and packages, by name. */
function staticClosure(entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(resolve(SRC, file), "utf8");
    for (const [, typeOnly, spec] of text.matchAll(STATIC)) {
      if (typeOnly) continue;
      if (!spec!.startsWith(".")) {
        packages.add(spec!);
        continue;
      }
      const target = relative(SRC, resolve(SRC, dirname(file), spec!));
      if (!target.startsWith("..") && existsSync(resolve(SRC, target))) visit(target);
    }
  };
  for (const entry of entries) visit(entry);
  return { files, packages };
}

const HOT = {
  "orch --version": ["main.ts"],
  "orch runs ls": ["main.ts", "cli/index.ts", "cli/runs.ts"],
  "orch deployments ls": ["main.ts", "cli/index.ts", "cli/deployments.ts"],
};

for (const [command, entries] of Object.entries(HOT)) {
  test(`${command} loads neither the front doors of core and client nor other domains`, () => {
    const { files, packages } = staticClosure(entries);
    const heavy = [...files].filter(
      (f) =>
        f === "core/index.ts" ||
        f === "client/index.ts" ||
        f.startsWith("core/wire/") ||
        /^(server|store|definitions|scheduler|worker|events|tui|web|sdk)\//.test(f),
    );
    expect(heavy).toEqual([]);
    expect([...packages].filter((p) => !/^(citty|consola\/core|node:|bun:)/.test(p))).toEqual([]);
    // node:fs alone costs about 3 ms of CPU to load: what they read goes through core/quick-fs.ts.
    expect([...packages].filter((p) => p === "node:fs" || p === "fs")).toEqual([]);
  });
}

test("the reader follows what it should (a check of this test itself)", () => {
  const { files } = staticClosure(["cli/runs.ts"]);
  expect(files).toContain("cli/connect.ts");
  expect(files).toContain("client/create-client.ts");
  // A type-only import is not followed; a value import of the same module would be.
  expect(files).not.toContain("client/index.ts");
  expect(staticClosure(["cli/up.ts"]).files).toContain("core/index.ts");
});
