/** @jsxImportSource preact */
/**
 * The web UI: a hash router over the pages, inside the layout, once the browser is logged in.
 * Each page is one component in pages/; this table is the only place that maps paths to them.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { onAuth, servedLoggedIn } from "./api.ts";
import { Layout } from "./components/Layout.tsx";
import { matchRoute, type Route, useLocation } from "./components/router.ts";
import { dropEarly } from "./early.ts";
import { disconnect, reconnect } from "./live.ts";
import { DeploymentsPage } from "./pages/deployments.tsx";
import { EventsPage } from "./pages/events.tsx";
import { LoginPage } from "./pages/login.tsx";
import { ProblemsPage } from "./pages/problems.tsx";
import { RunDetailPage } from "./pages/run-detail.tsx";
import { RunsPage } from "./pages/runs.tsx";
import { RunsChartPage } from "./pages/runs-chart.tsx";
import { WorkersPage } from "./pages/workers.tsx";

/** Every page, by path. */
const ROUTES: Route[] = [
  { path: "/deployments", page: DeploymentsPage },
  { path: "/runs", page: RunsPage },
  { path: "/runs/:id", page: RunDetailPage },
  { path: "/runs/chart/:deployment", page: RunsChartPage },
  { path: "/events", page: EventsPage },
  { path: "/workers", page: WorkersPage },
  { path: "/problems", page: ProblemsPage },
];

function NotFound({ path }: { path: string }) {
  return (
    <p>
      No page {path}. <a href="#/deployments">Deployments</a>
    </p>
  );
}

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
  // `/` is the deployments page; the address says so without a hashchange (which would drop
  // the early answers, see below).
  if (location.path === "/") window.history.replaceState(null, "", "#/deployments");
  const path = location.path === "/" ? "/deployments" : location.path;
  const match = matchRoute(ROUTES, path);
  return (
    <Layout path={path}>
      {match ? (
        <match.route.page params={match.params} query={location.query} />
      ) : (
        <NotFound path={path} />
      )}
    </Layout>
  );
}

// The boot script's early answers are the first page's: once the page moves, they are dropped
// (another visit to that page asks the server afresh).
window.addEventListener("hashchange", dropEarly, { once: true });
render(<App />, document.getElementById("app")!);
