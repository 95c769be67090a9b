/**
 * Compile orch into one executable: `bun scripts/build.ts` makes dist/orch for this machine;
 * `--target bun-linux-arm64` (repeatable) or `--all` cross-compiles to dist/orch-<target>.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { BunPlugin } from "bun";

const TARGETS = [
  "bun-linux-x64",
  "bun-linux-arm64",
  "bun-darwin-x64",
  "bun-darwin-arm64",
  "bun-windows-x64",
] as const;

const { values } = parseArgs({
  options: {
    target: { type: "string", multiple: true },
    all: { type: "boolean" },
    outdir: { type: "string", default: "dist" },
  },
});

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

// The types `orch init` writes come from the SDK's source; regenerate them before compiling.
const types = Bun.spawnSync(["bun", join(import.meta.dirname, "gen-sdk-types.ts")], {
  stdout: "inherit",
  stderr: "inherit",
});
if (types.exitCode !== 0) process.exit(1);

const targets: (string | undefined)[] = values.all ? [...TARGETS] : (values.target ?? [undefined]);

for (const target of targets) {
  const outfile = `${values.outdir}/${target ? `orch-${target.replace(/^bun-/, "")}` : "orch"}`;
  const started = performance.now();
  const result = await Bun.build({
    entrypoints: ["./src/main.ts"],
    compile: target ? { target: target as (typeof TARGETS)[number], outfile } : { outfile },
    minify: true,
    // Each command's modules are their own chunk, loaded only when that command runs: start-up
    // is paid per command (NOTES.md), and `orch --version` must not parse the TUI or the server.
    splitting: true,
    // Bytecode in the executable: modules are not parsed at start-up (a third off `orch runs ls`'s
    // CPU time, measured by `npm run bench -- --only startup`).
    bytecode: true,
    format: "esm",
    sourcemap: "none",
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
    plugins: [stubDevtools],
  });
  if (!result.success) {
    for (const message of result.logs) console.error(message);
    process.exit(1);
  }
  console.log(`built ${outfile} in ${Math.round(performance.now() - started)} ms`);
}
