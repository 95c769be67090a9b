/**
 * Compile orch into one executable: `bun scripts/build.ts` makes dist/orch for this machine;
 * `--target bun-linux-arm64` (repeatable) or `--all` cross-compiles to dist/orch-<target>.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { BunPlugin } from "bun";
import { buildApp } from "../src/web/build-app.ts";
import { COMPILE_OPTIONS, COMPILE_RUNTIME } from "./build-options.ts";

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

// The package `orch init` writes (code and types) comes from the SDK's source; regenerate it
// before compiling.
const generated = Bun.spawnSync(["bun", join(import.meta.dirname, "gen-sdk-package.ts")], {
  stdout: "inherit",
  stderr: "inherit",
});
if (generated.exitCode !== 0) process.exit(1);

// The web UI's files go inside the executable: its loader module becomes the files themselves.
const app = await buildApp();
const embedApp: BunPlugin = {
  name: "embed-web-app",
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]web[\\/]app-assets\.ts$/ }, () => ({
      contents: `export async function loadAppAssets() { return ${JSON.stringify(app)}; }`,
      loader: "js",
    }));
  },
};

const targets: (string | undefined)[] = values.all ? [...TARGETS] : (values.target ?? [undefined]);

for (const target of targets) {
  const outfile = `${values.outdir}/${target ? `orch-${target.replace(/^bun-/, "")}` : "orch"}`;
  const started = performance.now();
  const result = await Bun.build({
    // Retention, the parsing of definition files, runs' spawns and the store's checkpoints run on
    // threads of their own (start-retention.ts, read-off-thread.ts, launch-process.ts,
    // checkpoints.ts): their entries are bundled beside.
    entrypoints: [
      "./src/main.ts",
      "./src/server/retention-worker.ts",
      "./src/definitions/parse-worker.ts",
      "./src/worker/spawn-thread.ts",
      "./src/store/checkpoint-thread.ts",
    ],
    compile: {
      ...(target ? { target: target as (typeof TARGETS)[number] } : {}),
      outfile,
      ...COMPILE_RUNTIME,
    },
    ...COMPILE_OPTIONS,
    plugins: [...COMPILE_OPTIONS.plugins, embedApp],
  });
  if (!result.success) {
    for (const message of result.logs) console.error(message);
    process.exit(1);
  }
  console.log(`built ${outfile} in ${Math.round(performance.now() - started)} ms`);
}
