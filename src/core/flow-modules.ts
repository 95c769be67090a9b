import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

/** Extensions tried for an import without one, and for `./x.js` that names `./x.ts`. */
const EXTENSIONS = [".ts", ".tsx", ".mts", ".js", ".jsx", ".mjs", ".cjs", ".json"];

/**
 * The files of a bundle that a TypeScript flow runs: its entry and every local module it
 * imports, directly or through others (Bun's own import scanner reads each). Packages and files
 * outside the bundle are not followed. Paths are bundle-relative with forward slashes; `files`
 * says which the bundle holds (a set of its paths, or a look at the disk).
 */
export function flowModules(folder: string, entry: string, files: FileSet): string[] {
  const scanImports = importScanner();
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const path = queue.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    if (!/\.(m|c)?[jt]sx?$/.test(path)) continue;
    let imports: string[];
    try {
      imports = scanImports(readFileSync(join(folder, path), "utf8"));
    } catch {
      continue; // a module that does not parse fails when it runs, with Bun's own message
    }
    for (const spec of imports) {
      if (!spec.startsWith("./") && !spec.startsWith("../")) continue;
      const target = resolveLocal(join(dirname(path), spec.split(/[?#]/)[0]!), files);
      if (target && !seen.has(target)) queue.push(target);
    }
  }
  return [...seen].sort();
}

/** `import … from "x"`, `export … from "x"`, `import "x"`, `import("x")` and `require("x")`. */
const IMPORT =
  /(?:^|[;\s}])(?:import|export)\b[^;'"`]*?\bfrom\s*["']([^"']+)["']|\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;

/**
 * What a module imports, by specifier: Bun's own scanner; where there is no Bun (orch/testing in
 * Node), the import statements as written (type-only ones too: a module more, never one less).
 */
function importScanner(): (text: string) => string[] {
  if (typeof Bun !== "undefined") {
    const transpiler = new Bun.Transpiler({ loader: "tsx" });
    return (text) => transpiler.scanImports(text).map((found) => found.path);
  }
  return (text) => [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

/** Which paths exist: a bundle's list, or a look at the disk. */
export interface FileSet {
  has(path: string): boolean;
}

function resolveLocal(raw: string, files: FileSet): string | null {
  const base = normalize(raw).split("\\").join("/");
  if (base.startsWith("..")) return null;
  const stem = base.replace(/\.(m|c)?jsx?$/, "");
  const candidates = [
    base,
    ...EXTENSIONS.map((ext) => base + ext),
    ...EXTENSIONS.map((ext) => stem + ext),
    ...EXTENSIONS.map((ext) => `${base}/index${ext}`),
  ];
  return candidates.find((c) => files.has(c)) ?? null;
}
