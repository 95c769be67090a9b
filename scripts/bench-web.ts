/**
 * The web UI's benchmark, on the compiled dist/orch (build it first): the app's files as the
 * executable serves them (bytes and gzipped), and the first meaningful paint of two pages, logged
 * in, cold cache, in headless chromium, median of --runs: the runs page (navigation start until
 * its first run row is drawn, a project of 10,000 runs) and a run's page (until the first of its
 * 500 log lines is drawn). Beside them, a baseline in the same run: a static page of the same
 * sizes (HTML, script, stylesheets) from a bare Bun.serve, whose script draws one row at once.
 * Prints one JSON line. `bun scripts/bench-web.ts [--runs 7]`
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
/** The executable measured: dist/orch, or another build (`ORCH_BENCH_BINARY`, for A/B runs). */
const ORCH = process.env.ORCH_BENCH_BINARY ?? resolve(import.meta.dirname, "../dist/orch");
const TARGET_MS = 300;
const TARGET_GZIP = 250_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const gzip = (text: string) => Bun.gzipSync(new TextEncoder().encode(text)).length;
const round = (x: number) => Math.round(x * 10) / 10;

/**
 * The app's files as served at `origin`: the page at `page` (as a browser with `cookie` gets it:
 * with its first frame drawn), its scripts and its stylesheets.
 */
async function servedFiles(origin: string, page = "/", cookie?: string) {
  const html = await (
    await fetch(`${origin}${page}`, cookie ? { headers: { cookie } } : {})
  ).text();
  // The app's script is named by the boot script (data-app), which loads it.
  const paths = [...html.matchAll(/(?:src|href|data-app)="(\/[^"]+\.(?:js|css))"/g)].map(
    (m) => m[1]!,
  );
  const files = await Promise.all(
    paths.map(async (path) => ({ path, text: await (await fetch(`${origin}${path}`)).text() })),
  );
  const of = (ext: string) => files.filter((f) => f.path.endsWith(ext)).map((f) => f.text);
  return { html, js: of(".js").join("\n"), css: of(".css").join("\n") };
}

/** What a page's first meaningful paint waits for: a run row, a log line, the baseline's row. */
const RUN_ROW = "[data-testid=run-row]";
const LOG_LINE = "[data-testid=log-view] .log-line";

/** Lines the run on the run page's benchmark prints. */
const LOG_LINES = 500;

// Set before any script of the page: the time the first `selector` is drawn (the frame after
// it enters the DOM), handed to the benchmark through a binding. Why a binding rather than
// polling the page: Playwright's waitForFunction first loads a large script of its own into the
// page, which would run on the page's thread while it draws (and hit a page that draws late).
const watch = (selector: string) => `(() => {
  const seen = () => document.querySelector(${JSON.stringify(selector)});
  const done = () => requestAnimationFrame(() => window.__benchPainted(performance.now()));
  new MutationObserver((_, observer) => {
    if (seen()) { observer.disconnect(); done(); }
  }).observe(document, { childList: true, subtree: true });
})();`;

/** Open `url` in a fresh context (cold cache) `RUNS` times: paint times in ms. */
async function measure(
  browser: Browser,
  url: string,
  selector: string,
  setup?: (c: BrowserContext) => Promise<void>,
) {
  const painted: number[] = [];
  const fcp: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await setup?.(context);
    const drawn = Promise.withResolvers<number>();
    const timer = setTimeout(
      () => drawn.reject(new Error(`${url}: no ${selector} in 30 s`)),
      30_000,
    );
    await context.exposeBinding("__benchPainted", (_source, at: number) => drawn.resolve(at));
    await context.addInitScript(watch(selector));
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "commit" });
    painted.push(await drawn.promise);
    clearTimeout(timer);
    // The first contentful paint is reported once that frame is out: wait for its entry.
    fcp.push(
      await page.evaluate(
        () =>
          new Promise<number>((resolve) =>
            new PerformanceObserver((list) => {
              const entry = list.getEntriesByName("first-contentful-paint")[0];
              if (entry) resolve(entry.startTime);
            }).observe({ type: "paint", buffered: true }),
          ),
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

/**
 * A bare Bun.serve with a page of the same sizes as orch's, drawing one row at once: an HTML page
 * as large as orch's (whose styles are inline), a script, and a stylesheet when orch has one.
 */
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
  const link = sizes.css ? '<link rel="stylesheet" href="/a.css">' : "";
  const html = pad(
    `<!doctype html><html><head>${link}<script type="module" src="/a.js"></script></head><body><div id="app"></div></body></html>`,
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

/** Run `deployment` through orch's API and wait until it completed: its id. */
async function completedRun(origin: string, token: string, deployment: string): Promise<string> {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const created = await fetch(`${origin}/api/deployments/${deployment}/runs`, {
    method: "POST",
    headers,
    body: "{}",
  });
  const { id } = (await created.json()) as { id: string };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const run = (await (await fetch(`${origin}/api/runs/${id}`, { headers })).json()) as {
      state: string;
    };
    if (run.state === "COMPLETED") return id;
    if (["FAILED", "CRASHED", "CANCELLED"].includes(run.state)) break;
    await Bun.sleep(50);
  }
  throw new Error(`the run ${id} of ${deployment} did not complete`);
}

/** The figures, as one object. */
export async function benchWeb() {
  const dir = mkdtempSync(join(tmpdir(), "orch-bench-web-"));
  const init = Bun.spawnSync([ORCH, "init", dir], { stdout: "ignore", stderr: "inherit" });
  if (init.exitCode !== 0) throw new Error("orch init failed");
  const seeded = Number(values.seeded);
  seedRuns(dir, seeded);
  writeFileSync(
    join(dir, "flows", "bench-logs.yaml"),
    `deployments:\n  - name: bench-logs\n    command: ["sh", "-c", "i=0; while [ $i -lt ${LOG_LINES} ]; do i=$((i+1)); echo log line $i; done"]\n`,
  );
  const up = Bun.spawn([ORCH, "up", "--headless", "--port", "0", "--dir", dir], {
    stdout: "ignore",
    stderr: "pipe",
  });
  let browser: Browser | undefined;
  const baselines: ReturnType<typeof Bun.serve>[] = [];
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
    while (!/web UI: \S+ /.test(stderr) && !ended && Date.now() < deadline) await Bun.sleep(20);
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
    const token = (await Bun.file(join(dir, ".orch", "token")).text()).trim();
    const runId = await completedRun(origin, token, "bench-logs");
    const withCookies = (c: BrowserContext) => c.addCookies(cookies);
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    // The static page is as large as the page a logged-in browser gets (its first frame and
    // the data it was drawn from are in it): one for each page measured.
    const bareOf = async (page: string) => {
      const served = await servedFiles(origin, page, cookie);
      const server = baselineServer({
        html: served.html.length,
        js: files.js.length,
        css: files.css.length,
      });
      baselines.push(server);
      return `http://127.0.0.1:${server.port}/`;
    };
    const runsUrl = `${origin}/runs`;
    const runUrl = `${origin}/runs/${runId}`;
    const bareRuns = await bareOf("/runs");
    const bareRun = await bareOf(`/runs/${runId}`);
    // Each page beside the baseline measured right after it, so both see the same load.
    const orch = await measure(browser, runsUrl, RUN_ROW, withCookies);
    const bare = await measure(browser, bareRuns, RUN_ROW);
    const detail = await measure(browser, runUrl, LOG_LINE, withCookies);
    const bare2 = await measure(browser, bareRun, RUN_ROW);
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
      run_page_paint: {
        log_lines: LOG_LINES,
        orch_run_page_ms: detail.painted_ms,
        orch_fcp_ms: detail.fcp_ms,
        baseline_static_page_ms: bare2.painted_ms,
        baseline_fcp_ms: bare2.fcp_ms,
        target_ms: TARGET_MS,
        samples: { orch: detail.all_ms, baseline: bare2.all_ms },
      },
    };
  } finally {
    await browser?.close();
    for (const server of baselines) server.stop(true);
    up.kill("SIGTERM");
    await up.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) console.log(JSON.stringify({ web: await benchWeb() }));
