/**
 * The web UI's benchmark, on the compiled dist/orch (build it first): the app's files as the
 * executable serves them (bytes and gzipped), and the first meaningful paint of the runs page
 * (navigation start until its first run row is drawn, a project of 10,000 runs, logged in,
 * cold cache) in headless chromium, median of --runs; beside a baseline in the same run: a
 * static page of the same sizes (HTML, script, stylesheet) from a bare Bun.serve, whose script
 * draws one row at once. Prints one JSON line. `bun scripts/bench-web.ts [--runs 7]`
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Browser, BrowserContext } from "playwright-core";
import { launchBrowser } from "../test/web/browser.ts";
import { seedRuns } from "../test/web/seed-runs.ts";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "7" }, seeded: { type: "string", default: "10000" } },
});
const RUNS = Number(values.runs);
const ORCH = resolve(import.meta.dirname, "../dist/orch");
const TARGET_MS = 300;
const TARGET_GZIP = 250_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const gzip = (text: string) => Bun.gzipSync(new TextEncoder().encode(text)).length;
const round = (x: number) => Math.round(x * 10) / 10;

/** The app's files as served at `origin`: the page, its scripts and its stylesheets. */
async function servedFiles(origin: string) {
  const html = await (await fetch(`${origin}/`)).text();
  const paths = [...html.matchAll(/(?:src|href)="(\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const files = await Promise.all(
    paths.map(async (path) => ({ path, text: await (await fetch(`${origin}${path}`)).text() })),
  );
  const of = (ext: string) => files.filter((f) => f.path.endsWith(ext)).map((f) => f.text);
  return { html, js: of(".js").join("\n"), css: of(".css").join("\n") };
}

// Set before any script of the page: the time the first run row is drawn (the frame after it
// enters the DOM), and the first contentful paint.
const WATCH = `(() => {
  const seen = () => document.querySelector("[data-testid=run-row]");
  const done = () => requestAnimationFrame(() => { window.__painted = performance.now(); });
  new MutationObserver((_, observer) => {
    if (seen()) { observer.disconnect(); done(); }
  }).observe(document, { childList: true, subtree: true });
})();`;

/** Open `url` in a fresh context (cold cache) `RUNS` times: paint times in ms. */
async function measure(
  browser: Browser,
  url: string,
  setup?: (c: BrowserContext) => Promise<void>,
) {
  const painted: number[] = [];
  const fcp: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await setup?.(context);
    await context.addInitScript(WATCH);
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => (window as { __painted?: number }).__painted, null, {
      timeout: 30_000,
    });
    painted.push(await page.evaluate(() => (window as unknown as { __painted: number }).__painted));
    fcp.push(
      await page.evaluate(
        () => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? -1,
      ),
    );
    await context.close();
  }
  return {
    painted_ms: round(median(painted)),
    fcp_ms: round(median(fcp)),
    all_ms: painted.map(round),
  };
}

/** A bare Bun.serve with a page of the same sizes as orch's, drawing one row at once. */
function baselineServer(sizes: { html: number; js: number; css: number }) {
  const pad = (text: string, size: number, open: string, close: string) =>
    text + open + "x".repeat(Math.max(0, size - text.length - open.length - close.length)) + close;
  const js = pad(
    `document.getElementById("app").innerHTML = '<div data-testid="run-row">run</div>';`,
    sizes.js,
    "/*",
    "*/",
  );
  const css = pad("body{font-family:system-ui}", sizes.css, "/*", "*/");
  const html = pad(
    '<!doctype html><html><head><link rel="stylesheet" href="/a.css"></head><body><div id="app"></div><script type="module" src="/a.js"></script></body></html>',
    sizes.html,
    "<!--",
    "-->",
  );
  const file = (body: string, type: string) =>
    new Response(body, { headers: { "content-type": type } });
  return Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/a.js") return file(js, "text/javascript");
      if (path === "/a.css") return file(css, "text/css");
      return file(html, "text/html");
    },
  });
}

/** The figures, as one object. */
export async function benchWeb() {
  const dir = mkdtempSync(join(tmpdir(), "orch-bench-web-"));
  const init = Bun.spawnSync([ORCH, "init", dir], { stdout: "ignore", stderr: "inherit" });
  if (init.exitCode !== 0) throw new Error("orch init failed");
  const seeded = Number(values.seeded);
  seedRuns(dir, seeded);
  const up = Bun.spawn([ORCH, "up", "--headless", "--port", "0", "--dir", dir], {
    stdout: "ignore",
    stderr: "pipe",
  });
  let browser: Browser | undefined;
  let baseline: ReturnType<typeof Bun.serve> | undefined;
  try {
    // Read orch's stderr to its end (a closed pipe would fail its later writes).
    let stderr = "";
    let ended = false;
    (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of up.stderr) stderr += decoder.decode(chunk, { stream: true });
      ended = true;
    })();
    const deadline = Date.now() + 60_000;
    while (!/web UI: \S+\n/.test(stderr) && !ended && Date.now() < deadline) await Bun.sleep(20);
    const loginUrl = /web UI: (\S+)/.exec(stderr)?.[1];
    if (!loginUrl) throw new Error(`orch up printed no web UI address:\n${stderr}`);
    const origin = new URL(loginUrl).origin;
    const files = await servedFiles(origin);
    const bundle = {
      js_bytes: files.js.length,
      js_gzip: gzip(files.js),
      css_gzip: gzip(files.css),
      html_gzip: gzip(files.html),
      total_gzip: gzip(files.js) + gzip(files.css) + gzip(files.html),
      target_gzip: TARGET_GZIP,
    };
    browser = await launchBrowser();
    const login = await browser.newContext();
    await (await login.newPage()).goto(loginUrl);
    const cookies = await login.cookies();
    await login.close();
    const orch = await measure(browser, `${origin}/#/runs`, (c) => c.addCookies(cookies));
    baseline = baselineServer({
      html: files.html.length,
      js: files.js.length,
      css: files.css.length,
    });
    const bare = await measure(browser, `http://127.0.0.1:${baseline.port}/`);
    return {
      bundle,
      first_paint: {
        runs_listed: seeded,
        orch_runs_page_ms: orch.painted_ms,
        orch_fcp_ms: orch.fcp_ms,
        baseline_static_page_ms: bare.painted_ms,
        baseline_fcp_ms: bare.fcp_ms,
        target_ms: TARGET_MS,
        samples: { orch: orch.all_ms, baseline: bare.all_ms },
      },
    };
  } finally {
    await browser?.close();
    baseline?.stop(true);
    up.kill("SIGTERM");
    await up.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) console.log(JSON.stringify({ web: await benchWeb() }));
