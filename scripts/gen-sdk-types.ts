/**
 * Generate the types of "orch" that flow authors' editors read, from the SDK's own source:
 * `tsc` emits the declarations of src/sdk/, and each emitted file becomes an ambient module
 * ("orch" for the SDK's index, "orch/internal/<path>" for the files it imports), so one file
 * holds them all. Writes flows/orch.d.ts and src/sdk/declarations.generated.ts (what `orch init`
 * writes); `--check` writes nothing and exits 1 when either is out of date.
 *
 * The build runs this first, and a test runs `--check`, so the types cannot drift from the SDK.
 */
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, posix, relative } from "node:path";

const ROOT = join(import.meta.dirname, "..");
const HEADER = `// Types of the "orch" module for editors: inside orch, \`import { flow, task } from "orch"\`
// resolves to its SDK. Written by orch init from the SDK's source; orch --help tells more.
`;

/** The entries of the SDK: "orch" and "orch/testing". */
const ENTRIES = { "sdk/index": "orch", "sdk/testing": "orch/testing" } as Record<string, string>;

/** The declaration files tsc emits for the SDK, by path relative to src/ without ".d.ts". */
export function emitDeclarations(): Map<string, string> {
  const out = mkdtempSync(join(tmpdir(), "orch-dts-"));
  try {
    const tsc = Bun.spawnSync(
      [
        join(ROOT, "node_modules/.bin/tsc"),
        "--ignoreConfig",
        "--declaration",
        "--emitDeclarationOnly",
        "--strict",
        "--skipLibCheck",
        "--target",
        "esnext",
        "--module",
        "preserve",
        "--moduleResolution",
        "bundler",
        "--allowImportingTsExtensions",
        "--rewriteRelativeImportExtensions",
        "--types",
        "bun",
        "--rootDir",
        join(ROOT, "src"),
        "--outDir",
        out,
        ...Object.keys(ENTRIES).map((key) => join(ROOT, `src/${key}.ts`)),
      ],
      { cwd: ROOT, stdout: "pipe", stderr: "pipe" },
    );
    if (tsc.exitCode !== 0) {
      throw new Error(`tsc could not emit the SDK's declarations:\n${tsc.stdout}${tsc.stderr}`);
    }
    const files = new Map<string, string>();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir).sort()) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith(".d.ts")) {
          const key = relative(out, path)
            .split("\\")
            .join("/")
            .replace(/\.d\.ts$/, "");
          files.set(key, readFileSync(path, "utf8"));
        }
      }
    };
    walk(out);
    return files;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The ambient module name of an emitted file. */
function moduleName(key: string): string {
  return ENTRIES[key] ?? `orch/internal/${key}`;
}

/** One emitted file as `declare module "…" { … }`, its relative imports renamed to match. */
function ambient(key: string, text: string): string {
  const body = text
    .replace(/^export \{\};\s*$/m, "")
    .replace(/(from\s+|import\()(["'])(\.{1,2}\/[^"']+)\2/g, (_, lead: string, q: string, spec) => {
      const target = posix.join(posix.dirname(key), spec).replace(/\.(d\.)?[mc]?[tj]s$/, "");
      return `${lead}${q}${moduleName(target)}${q}`;
    })
    // Inside an ambient module everything is already a declaration.
    .replace(/^(export )?declare /gm, "$1")
    .trim();
  const indented = body
    .split("\n")
    .map((line) => (line ? `  ${line}` : line))
    .join("\n");
  return `declare module "${moduleName(key)}" {\n${indented}\n}\n`;
}

/** The relative modules a declaration file imports, as keys of the emitted map. */
function importsOf(key: string, text: string): string[] {
  return [...text.matchAll(/(?:from\s+|import\()["'](\.{1,2}\/[^"']+)["']/g)].map((m) =>
    posix.join(posix.dirname(key), m[1]!).replace(/\.(d\.)?[mc]?[tj]s$/, ""),
  );
}

/**
 * The SDK's entries and only the files their declarations reach (a module the SDK uses at run
 * time but never names in a type stays out), in the order met.
 */
export function reachedDeclarations(files: Map<string, string>): string[] {
  const reached: string[] = [];
  const visit = (key: string) => {
    if (reached.includes(key)) return;
    const text = files.get(key);
    if (text === undefined) throw new Error(`tsc emitted no declarations for src/${key}.ts`);
    reached.push(key);
    for (const next of importsOf(key, text)) visit(next);
  };
  for (const entry of Object.keys(ENTRIES)) visit(entry);
  return reached;
}

/** The whole generated declaration file: each reached file as an ambient module. */
export function renderSdkTypes(files = emitDeclarations()): string {
  const reached = reachedDeclarations(files);
  return [HEADER, ...reached.map((key) => ambient(key, files.get(key)!))].join("\n");
}

/** Text in the project's format (Biome), so generated files pass the lint as they are. */
export function formatted(path: string, text: string): string {
  const biome = Bun.spawnSync(
    [join(ROOT, "node_modules/.bin/biome"), "format", `--stdin-file-path=${path}`],
    {
      cwd: ROOT,
      stdin: new TextEncoder().encode(text),
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  if (biome.exitCode !== 0) throw new Error(`biome could not format ${path}:\n${biome.stderr}`);
  return biome.stdout.toString();
}

/** The generated files, by path relative to the repository root. */
export function generatedFiles(dts: string): Record<string, string> {
  const types = formatted("flows/orch.d.ts", dts);
  const module = `// Generated by scripts/gen-sdk-types.ts from the SDK's source; do not edit.
/** The types of "orch" that \`orch init\` writes to flows/orch.d.ts. */
export const ORCH_DTS = ${JSON.stringify(types)};
`;
  return {
    "flows/orch.d.ts": types,
    "src/sdk/declarations.generated.ts": formatted("src/sdk/declarations.generated.ts", module),
  };
}

if (import.meta.main) {
  const check = process.argv.includes("--check");
  const stale: string[] = [];
  for (const [path, content] of Object.entries(generatedFiles(renderSdkTypes()))) {
    const target = join(ROOT, path);
    if (existsSync(target) && readFileSync(target, "utf8") === content) continue;
    if (check) stale.push(path);
    else {
      writeFileSync(target, content);
      console.log(`wrote ${path}`);
    }
  }
  if (stale.length > 0) {
    console.error(
      `out of date: ${stale.join(", ")}; run \`bun scripts/gen-sdk-types.ts\` after changing the SDK`,
    );
    process.exit(1);
  }
}
