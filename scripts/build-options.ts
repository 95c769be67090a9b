/**
 * How orch is compiled, shared by the build and the benchmarks' baselines (compiled the same
 * way, so a ratio compares the program, not the build).
 */
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
  plugins: [stubDevtools],
};
