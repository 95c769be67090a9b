/**
 * How orch is compiled, shared by the build and the benchmarks' baselines (compiled the same
 * way, so a ratio compares the program, not the build).
 */
import { resolve } from "node:path";
import type { BunPlugin } from "bun";

/**
 * Ink imports react-devtools-core only when DEV is set; the import must still resolve inside the
 * executable, so it resolves to an empty module.
 */
const stubDevtools: BunPlugin = {
  name: "stub-react-devtools-core",
  setup(build) {
    build.onResolve({ filter: /^react-devtools-core$/ }, () => ({
      path: "react-devtools-core",
      namespace: "orch-stub",
    }));
    build.onLoad({ filter: /.*/, namespace: "orch-stub" }, () => ({
      contents: "export default { initialize() {}, connectToDevTools() {} };",
      loader: "js",
    }));
  },
};

/**
 * The CLI's command library imports only parseArgs from node:util, and loading node:util costs
 * about 3 ms of every command: it gets orch's own parser instead (src/cli/parse-args.ts, which a
 * test holds to node:util's answers).
 */
const argvParser: BunPlugin = {
  name: "citty-parse-args",
  setup(build) {
    // A builtin's import never reaches onResolve, so the library's source is changed as it loads.
    build.onLoad(
      { filter: /[\\/]node_modules[\\/]citty[\\/]dist[\\/]index\.mjs$/ },
      async (args) => {
        const source = await Bun.file(args.path).text();
        const parser = JSON.stringify(resolve(import.meta.dirname, "../src/cli/parse-args.ts"));
        const changed = source.replace(/from\s*["']node:util["']/, `from ${parser}`);
        if (changed === source) throw new Error(`${args.path} no longer imports node:util`);
        return { contents: changed, loader: "js" };
      },
    );
  },
};

/**
 * The command library converts every option's name to camelCase and kebab-case with a splitter
 * that is slow before the JIT warms up (about 1.5 ms of `orch runs ls`): the build gives it the
 * fast path of src/cli/option-case.ts over its own converters (a test holds them to the same
 * answers).
 */
const optionCase: BunPlugin = {
  name: "citty-option-case",
  setup(build) {
    build.onLoad(
      { filter: /[\\/]node_modules[\\/]citty[\\/]dist[\\/]_chunks[\\/]libs[\\/]scule\.mjs$/ },
      async (args) => {
        const source = await Bun.file(args.path).text();
        const cases = JSON.stringify(resolve(import.meta.dirname, "../src/cli/option-case.ts"));
        const exported = "export { kebabCase as n, snakeCase as r, camelCase as t };";
        if (!source.includes(exported))
          throw new Error(`${args.path} no longer ends in ${exported}`);
        const fast = [
          `import { fastCamelCase, fastKebabCase } from ${cases};`,
          source.replace(exported, ""),
          "const n = fastKebabCase(kebabCase);",
          "const t = fastCamelCase(camelCase);",
          "export { n, snakeCase as r, t };",
        ];
        return { contents: fast.join("\n"), loader: "js" };
      },
    );
  },
};

/**
 * How the executable behaves when it runs, for the `compile` option. Why autoloadPackageJson: a
 * compiled Bun program reads no package.json by default, its resolver's included, so a flow's
 * `import { parse } from "yaml"` found node_modules/yaml but not its entry (`exports` or `main`)
 * and failed "Cannot find package". With it, a flow's imports resolve as `bun` resolves them:
 * `exports` conditions, subpaths and patterns, `main`, `imports`, scoped packages.
 */
export const COMPILE_RUNTIME = { autoloadPackageJson: true } as const;

/** Bun.build options of a compiled orch, beside `entrypoints` and `compile`. */
export const COMPILE_OPTIONS = {
  minify: true,
  // Each command's modules are their own chunk, loaded only when that command runs: start-up
  // is paid per command (NOTES.md), and `orch --version` must not parse the TUI or the server.
  splitting: true,
  // Bytecode in the executable: modules are not parsed at start-up (a third off `orch runs ls`'s
  // CPU time, measured by `npm run bench -- --only startup`).
  bytecode: true,
  format: "esm" as const,
  sourcemap: "none" as const,
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  plugins: [stubDevtools, argvParser, optionCase],
};
