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
  plugins: [stubDevtools, argvParser],
};
