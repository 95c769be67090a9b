/**
 * The page's boot script, inlined into index.html in place of a tag for the app's script, whose
 * address it carries (`data-app`). It loads the app: at once on a page the server did not draw,
 * and on a page it drew once that frame is on screen. On a page the server gave a session (it
 * writes the session's element only for a request that carries a valid session cookie) but did
 * not draw, it also starts the requests for the page's first data at once, which run while the
 * app's script loads. api.ts hands the answers to the page, already read when they came in
 * time, so the page's first frame can show them. A page the server drew holds its answers
 * already: the app reads them when it takes the page over (main.tsx), not here, where the
 * script holds up the parsing of the page it runs in.
 */
import { pageLocation } from "./components/location.ts";
import { EARLY_KEY, type EarlyEntry, FIRST_DATA_ELEMENT, SESSION_ELEMENT } from "./early.ts";
import { firstDataAt } from "./first-data.ts";

const app = document.currentScript?.getAttribute("data-app");
const drawn = !!document.getElementById(FIRST_DATA_ELEMENT);

if (document.getElementById(SESSION_ELEMENT) && !drawn) {
  const early = new Map<string, EarlyEntry>();
  for (const path of firstDataAt(pageLocation(location))) {
    const entry: EarlyEntry = { answer: fetch(path, { credentials: "same-origin" }) };
    entry.answer
      .then(async (res) => {
        const text = await res.clone().text();
        entry.done = { status: res.status, next: res.headers.get("x-next-cursor"), text };
      })
      // Not taken (the page asked for something else): not an unhandled rejection either.
      .catch(() => {});
    early.set(path, entry);
  }
  (window as unknown as Record<string, unknown>)[EARLY_KEY] = early;
}

/** Run the app's script (a module: it starts once the page is parsed, see main.tsx). */
function loadApp(src: string) {
  const script = document.createElement("script");
  script.type = "module";
  script.src = src;
  document.head.append(script);
}

/**
 * Calls `then` once the page's first frame is on screen (its first contentful paint). A hidden
 * page (a background tab) paints only once it is shown: it does not wait; nor does any page
 * wait longer than `ms`.
 */
function afterFirstPaint(ms: number, then: () => void) {
  if (document.visibilityState === "hidden") return then();
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    observer.disconnect();
    then();
  };
  const observer = new PerformanceObserver((list) => {
    if (list.getEntriesByName("first-contentful-paint").length) once();
  });
  observer.observe({ type: "paint", buffered: true });
  setTimeout(once, ms);
}

// Why the app waits for the server's frame to be on screen: until then the browser lays out,
// paints and rasterises that frame on two cores at most, and the app's script (fetched,
// compiled on a worker, run) would take its share of them and hold the frame back; until the
// app has the page, a link loads its page as a plain link.
if (app) {
  if (drawn) afterFirstPaint(10_000, () => loadApp(app));
  else loadApp(app);
}
