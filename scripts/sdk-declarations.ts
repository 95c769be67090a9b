/**
 * The SDK's declarations as tsc emits them from its own source, for the "orch" package that
 * `orch init` writes (scripts/gen-sdk-package.ts): the entries "orch" and "orch/testing" and only
 * the files their declarations reach.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix, relative } from "node:path";

const ROOT = join(import.meta.dirname, "..");
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
