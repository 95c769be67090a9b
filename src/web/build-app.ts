import { join } from "node:path";
import type { AppAssets } from "./app-assets.ts";

/** The app's entry page, from which Bun bundles the scripts and styles it names. */
export const APP_ENTRY = join(import.meta.dirname, "app", "index.html");

/**
 * Bundle the web app (src/web/app) into its files: index.html, and hashed scripts and styles
 * under /assets/ (so they can be cached for good). Throws with the bundler's messages.
 */
export async function buildApp(): Promise<AppAssets> {
  const result = await Bun.build({
    entrypoints: [APP_ENTRY],
    minify: true,
    target: "browser",
    publicPath: "/",
    naming: {
      entry: "[name].[ext]",
      chunk: "assets/[name]-[hash].[ext]",
      asset: "assets/[name]-[hash].[ext]",
    },
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
  });
  if (!result.success) {
    throw new Error(`the web app does not build:\n${result.logs.map(String).join("\n")}`);
  }
  const assets: AppAssets = {};
  for (const output of result.outputs) {
    const path = `/${output.path.replace(/^\.\//, "")}`;
    assets[path] = { type: output.type, body: await output.text() };
  }
  return assets;
}
