/** @jsxImportSource preact */
/**
 * The web UI in the browser: the page at the address, inside its frame, once the browser is
 * logged in. When the server drew the page's first frame (a logged-in browser's page), the app
 * takes it over as it is (hydrates it), from the same answers, so nothing is drawn twice.
 */
import { hydrate, render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { onAuth, servedLoggedIn } from "./api.ts";
import { Page, shownPath } from "./app.tsx";
import { currentLocation, followLinks, href, onMove, useLocation } from "./components/router.ts";
import { dropEarly } from "./early.ts";
import { adoptFirstData } from "./first-data.ts";
import { disconnect, reconnect } from "./live.ts";
import { LoginPage } from "./pages/login.tsx";

function App() {
  const location = useLocation();
  // The server wrote the session into the page when the browser holds one: the frame and the
  // page draw at once, with no round trip to ask whether this browser is logged in.
  const [auth, setAuth] = useState<"in" | "out">(servedLoggedIn() ? "in" : "out");
  useEffect(() => onAuth((loggedIn) => setAuth(loggedIn ? "in" : "out")), []);
  useEffect(() => {
    if (auth === "in") reconnect();
    else disconnect();
  }, [auth]);
  // Relative times ("in 25s", "3m ago") move on even when no data does: redraw now and then.
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 5000);
    return () => clearInterval(timer);
  }, []);
  if (auth === "out") return <LoginPage />;
  return <Page location={location} />;
}

// The address names its page: `/` is the deployments page, and an older link's hash (`/#/runs`)
// becomes the path it names; the history keeps one entry (and the early answers stay).
const at = currentLocation();
const canonical = href(shownPath(at), Object.fromEntries(at.query));
if (`${window.location.pathname}${window.location.search}${window.location.hash}` !== canonical) {
  window.history.replaceState(null, "", canonical);
}
// The early answers are the first page's: once the page moves, they are dropped (another visit
// to that page asks the server afresh).
let first = `${window.location.pathname}${window.location.search}`;
onMove(() => {
  const now = `${window.location.pathname}${window.location.search}`;
  if (now === first) return;
  first = now;
  dropEarly();
});
/**
 * Resolves once the page's first frame is on screen (its first contentful paint), or after
 * `ms` at most: a page opened in a background tab paints only when it is shown.
 */
function firstPaint(ms: number): Promise<void> {
  return new Promise((resolve) => {
    let observer: PerformanceObserver | undefined;
    const done = () => {
      clearTimeout(timer);
      observer?.disconnect();
      resolve();
    };
    const timer = setTimeout(done, ms);
    observer = new PerformanceObserver((list) => {
      if (list.getEntriesByName("first-contentful-paint").length) done();
    });
    observer.observe({ type: "paint", buffered: true });
  });
}

const root = document.getElementById("app")!;
// The server's frame is taken over as it is, once it is on screen. Why wait: taken over at
// once, the app's work (a few tens of ms on a slow machine) runs while the browser still lays
// out, paints and rasterises that frame, and delays it. Until then a link loads its page.
if (root.firstElementChild) {
  void firstPaint(1000).then(() => {
    adoptFirstData();
    followLinks();
    hydrate(<App />, root);
  });
} else {
  followLinks();
  render(<App />, root);
}
