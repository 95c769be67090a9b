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
 * Mount the app on the parsed page. The boot script loads this script once the server's frame
 * is on screen (so the app takes it over as it is, from the same answers), or at once on a
 * page the server did not draw; inserted by a script, it may run before the page is parsed.
 */
function start() {
  const root = document.getElementById("app")!;
  // The app has the page: what only it needs takes effect (the sticky bar, styles.css).
  document.documentElement.classList.add("orch-app");
  followLinks();
  if (root.firstElementChild) {
    adoptFirstData();
    hydrate(<App />, root);
  } else {
    render(<App />, root);
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start, { once: true });
} else {
  start();
}
