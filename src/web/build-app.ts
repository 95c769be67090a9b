import { join } from "node:path";
import { SESSION_SLOT } from "./app/early.ts";
import type { AppAssets } from "./app-assets.ts";
import { contentPolicy } from "./content-policy.ts";
import { APP_ELEMENT } from "./serve-page.ts";

/** The app's entry page, from which Bun bundles the scripts and styles it names. */
export const APP_ENTRY = join(import.meta.dirname, "app", "index.html");

/** The page's boot script (inlined into the page, see app/boot.ts). */
const BOOT_ENTRY = join(import.meta.dirname, "app", "boot.ts");

async function bundle(options: Parameters<typeof Bun.build>[0]) {
  const result = await Bun.build({
    minify: true,
    target: "browser",
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
    ...options,
  });
  if (!result.success) {
    throw new Error(`the web app does not build:\n${result.logs.map(String).join("\n")}`);
  }
  return result.outputs;
}

/**
 * Bundle the web app (src/web/app) into its files: index.html, and hashed scripts under
 * /assets/ (so they can be cached for good). Throws with the bundler's messages.
 *
 * Why the page carries its styles and a boot script inline: the first paint waits for the
 * styles, and the page's data should be asked for before the app's script has even arrived.
 * Inline, neither costs a request; the content policy names each by its hash, so no other
 * inline script or style can run. The boot script loads the app's script (a page drawn by the
 * server first shows its frame).
 */
export async function buildApp(): Promise<AppAssets> {
  const outputs = await bundle({
    entrypoints: [APP_ENTRY],
    publicPath: "/",
    naming: {
      entry: "[name].[ext]",
      chunk: "assets/[name]-[hash].[ext]",
      asset: "assets/[name]-[hash].[ext]",
    },
  });
  const [boot] = await bundle({ entrypoints: [BOOT_ENTRY], format: "iife" });
  const script = (await boot!.text()).trim();
  const files = new Map<string, { type: string; body: string }>();
  for (const output of outputs) {
    files.set(`/${output.path.replace(/^\.\//, "")}`, {
      type: output.type,
      body: await output.text(),
    });
  }
  const page = files.get("/index.html");
  if (!page) throw new Error("the web app does not build: no index.html came out");
  const styles: string[] = [];
  let html = page.body.replace(
    /<link rel="stylesheet"[^>]*href="([^"]+\.css)"[^>]*>/g,
    (_, href: string) => {
      const css = files.get(href);
      if (!css) throw new Error(`the web app does not build: ${href} is not among its files`);
      files.delete(href);
      styles.push(css.body);
      return `<style>${css.body}</style>`;
    },
  );
  if (script.includes("</script") || styles.some((s) => s.includes("</style"))) {
    throw new Error("the web app does not build: its inline script or styles would end early");
  }
  if (!html.includes(APP_ELEMENT)) {
    throw new Error(`the web app does not build: its page has no ${APP_ELEMENT} to draw into`);
  }
  // The app's script is loaded by the boot script (see app/boot.ts), which names it.
  let app: string | undefined;
  html = html.replace(/<script type="module"[^>]*src="([^"]+\.js)"[^>]*><\/script>/, (_, src) => {
    app = src;
    return "";
  });
  if (!app || !files.has(app)) {
    throw new Error("the web app does not build: its page names no script of its own");
  }
  // Why the session, the page's data and the boot script come after the frame, at the end of
  // the body: the browser parses the page in order and may paint what it has parsed so far, so
  // the rows a logged-in browser gets come first and the JSON they were drawn from (tens of KB
  // the browser only tokenizes) after them; the boot script finds that JSON above it.
  if (!html.includes("</body>")) {
    throw new Error("the web app does not build: its page has no </body> to end with its boot");
  }
  html = html.replace(
    "</body>",
    () => `${SESSION_SLOT}<script data-app="${app}">${script}</script></body>`,
  );
  const assets: AppAssets = Object.fromEntries(files);
  assets["/index.html"] = {
    ...page,
    body: html,
    csp: contentPolicy({ scripts: [script], styles }),
  };
  return assets;
}
