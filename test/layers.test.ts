import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { expect, test } from "vitest";

// Guards for how src/ is layered (STYLE.md: folders by domain, imports flow one way). Read from
// the source text: every `import … from`, `export … from` and `import("…")`, type-only ones too,
// since a type import is a dependency of the design even when the bundle drops it.

const SRC = resolve(import.meta.dirname, "../src");
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;

/** Every .ts/.tsx file under src/, relative to it. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [relative(SRC, path)] : [];
  });
}

/** What a file imports: files of src/ (relative to it) and packages, by name. */
function importsOf(file: string): { files: string[]; packages: string[] } {
  const text = readFileSync(join(SRC, file), "utf8");
  const files: string[] = [];
  const packages: string[] = [];
  for (const [, spec] of text.matchAll(SPECIFIER)) {
    if (!spec!.startsWith(".")) packages.push(spec!);
    else {
      const target = relative(SRC, resolve(SRC, dirname(file), spec!));
      // Files outside src/ (package.json for the version) belong to no domain.
      if (!target.startsWith("..")) files.push(target);
    }
  }
  return { files, packages };
}

/** A file's domain: its top folder under src/ (main.ts is the root's own). */
const domainOf = (file: string) => (file.includes(sep) ? file.split(sep)[0]! : "(root)");

const files = sourceFiles();
const graph = new Map(files.map((file) => [file, importsOf(file)]));

test("no two domains of src/ import each other, directly or around a loop", () => {
  const edges = new Map<string, Set<string>>();
  for (const [file, { files: targets }] of graph) {
    for (const target of targets) {
      const from = domainOf(file);
      const to = domainOf(target);
      if (from === to) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
    }
  }
  // Depth-first search; a domain met again while still on the path closes a cycle.
  const cycles: string[] = [];
  const done = new Set<string>();
  const visit = (domain: string, path: string[]) => {
    if (path.includes(domain)) {
      cycles.push([...path.slice(path.indexOf(domain)), domain].join(" -> "));
      return;
    }
    if (done.has(domain)) return;
    for (const next of edges.get(domain) ?? []) visit(next, [...path, domain]);
    done.add(domain);
  };
  for (const domain of edges.keys()) visit(domain, []);
  const which = (from: string, to: string) =>
    [...graph]
      .filter(([f, i]) => domainOf(f) === from && i.files.some((t) => domainOf(t) === to))
      .map(([f]) => f);
  // On failure, say which files make each step of the loop.
  const explained = cycles.map((cycle) => {
    const steps = cycle.split(" -> ");
    return `${cycle}\n${steps
      .slice(1)
      .map((to, i) => `  ${steps[i]} -> ${to}: ${which(steps[i]!, to).join(", ")}`)
      .join("\n")}`;
  });
  expect(explained).toEqual([]);
});

test("core imports no other domain", () => {
  const up = files
    .filter((f) => domainOf(f) === "core")
    .flatMap((f) =>
      graph
        .get(f)!
        .files.filter((t) => domainOf(t) !== "core")
        .map((t) => `${f} -> ${t}`),
    );
  expect(up).toEqual([]);
});

test("only store/ touches SQLite: bun:sqlite and the store's connection stay inside it", () => {
  const outside = files
    .filter((f) => domainOf(f) !== "store")
    .flatMap((f) => {
      const { files: targets, packages } = graph.get(f)!;
      return [
        ...packages.filter((p) => p === "bun:sqlite"),
        ...targets.filter((t) => t === join("store", "sqlite.ts")),
      ].map((what) => `${f} -> ${what}`);
    });
  expect(outside).toEqual([]);
});

test("the store's test-only export is imported by tests alone", () => {
  const users = files.filter((f) => graph.get(f)!.files.includes(join("store", "testing.ts")));
  expect(users).toEqual([]);
});

test("the import reader sees the imports it guards (a check of this test itself)", () => {
  const store = graph.get(join("store", "open-store.ts"))!;
  expect(store.packages).toContain("bun:sqlite");
  expect(store.files).toContain(join("store", "sqlite.ts"));
  const main = graph.get("main.ts")!;
  expect(main.files).toContain(join("cli", "index.ts")); // a dynamic import("./cli/index.ts")
});

test("commands print through core/stdio.ts, never through node's stdout and stderr streams", () => {
  // process.stdout/stderr cost ~20 ms at the first touch in a compiled orch (core/stdio.ts): a
  // command that writes through them pays that at every start. The monitor (tui/) needs them for Ink.
  const STREAMS = /process\.std(?:out|err)\b/;
  const offenders = files.filter(
    (f) =>
      (f.startsWith(`cli${sep}`) || f === "main.ts") &&
      STREAMS.test(readFileSync(join(SRC, f), "utf8")),
  );
  expect(offenders).toEqual([]);
});

test("an ad-hoc run and testFlow find a flow's values without the definitions (no YAML loaded)", () => {
  // orch flow run, runs replay and testFlow read which secrets and variables a flow's code names
  // (core/code-references.ts) as a deployment does, but load nothing of definitions/ for it.
  const reached = (entry: string) => {
    const seen = new Set<string>();
    const queue = [entry];
    while (queue.length) {
      const file = queue.pop()!;
      if (seen.has(file) || !graph.has(file)) continue;
      seen.add(file);
      queue.push(...graph.get(file)!.files);
    }
    return [...seen];
  };
  for (const entry of [join("worker", "run-ad-hoc-flow.ts"), join("sdk", "test-values.ts")]) {
    const files = reached(entry);
    expect(files.filter((f) => domainOf(f) === "definitions")).toEqual([]);
    expect(files.filter((f) => graph.get(f)!.packages.includes("yaml"))).toEqual([]);
    expect(files).toContain(join("core", "code-references.ts"));
  }
});
