/**
 * The "orch" package in a project's node_modules: the SDK this executable carries, written where
 * Bun, Node and editors resolve `import { flow } from "orch"` and `"orch/testing"`, so a flow
 * runs (and is tracked) from any program and its tests run under any test runner. `orch init`
 * and `orch test` write it, and write it again when this executable is another version.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { VERSION } from "../core/version.ts";
import { SDK_PACKAGE_FILES } from "../sdk/package.generated.ts";
import { selfCommand } from "../worker/self-command.ts";

/** What installing the package did. */
export type SdkPackageOutcome = "written" | "current" | "foreign";

/** The package.json of the package: versioned with this executable, and naming it. */
function packageJson(): string {
  const pkg = {
    name: "orch",
    version: VERSION,
    description: "The orch SDK (flow, task, orch/testing), written by orch init; do not edit",
    type: "module",
    main: "./index.js",
    types: "./types/sdk/index.d.ts",
    exports: {
      ".": { types: "./types/sdk/index.d.ts", default: "./index.js" },
      "./testing": { types: "./types/sdk/testing.d.ts", default: "./testing.js" },
      "./package.json": "./package.json",
    },
    // How the SDK reaches orch itself: a flow called with no server records through it.
    orch: { command: selfCommand() },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/**
 * Write node_modules/orch in `root` unless it is there already from this very executable. A
 * package named orch that orch did not write is left alone ("foreign").
 */
export function installSdkPackage(root: string): SdkPackageOutcome {
  const dir = join(root, "node_modules", "orch");
  const manifest = join(dir, "package.json");
  const wanted = packageJson();
  if (existsSync(manifest)) {
    const current = readFileSync(manifest, "utf8");
    if (current === wanted) return "current";
    let ours = false;
    try {
      ours = "orch" in (JSON.parse(current) as object);
    } catch {}
    if (!ours) return "foreign";
    // Another version's files (their chunks have other names) go before this one's are written.
    rmSync(dir, { recursive: true, force: true });
  }
  for (const [path, content] of Object.entries(SDK_PACKAGE_FILES)) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  writeFileSync(manifest, wanted);
  removeOldDeclarations(root);
  return "written";
}

/** The first line of the types file older versions of orch init wrote to flows/orch.d.ts. */
const OLD_DECLARATIONS = '// Types of the "orch" module for editors';

/**
 * Older versions of orch init wrote the SDK's types to flows/orch.d.ts as well; beside the
 * package, that copy would declare "orch" a second time, and go stale. Only a file orch wrote
 * (known by its first line) is removed.
 */
function removeOldDeclarations(root: string): void {
  const old = join(root, "flows", "orch.d.ts");
  try {
    if (readFileSync(old, "utf8").startsWith(OLD_DECLARATIONS)) rmSync(old);
  } catch {}
}
