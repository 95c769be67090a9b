/** @jsxImportSource preact */
/**
 * The web UI: a hash router over the pages, inside the layout, once the browser is logged in.
 * Each page is one component in pages/; this table is the only place that maps paths to them.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { checkSession, onAuth } from "./api.ts";
import { Layout } from "./components/Layout.tsx";
import { matchRoute, type Route, useLocation } from "./components/router.ts";
import { reconnect } from "./live.ts";
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
  const [auth, setAuth] = useState<"checking" | "in" | "out">("checking");
  useEffect(() => {
    const off = onAuth((loggedIn) => setAuth(loggedIn ? "in" : "out"));
    checkSession().catch(() => setAuth((now) => (now === "checking" ? "out" : now)));
    return off;
  }, []);
  useEffect(() => {
    if (auth === "in") reconnect();
  }, [auth]);
  // Relative times ("in 25s", "3m ago") move on even when no data does: redraw now and then.
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 5000);
    return () => clearInterval(timer);
  }, []);
  if (auth === "checking") return null;
  if (auth === "out") return <LoginPage />;
  if (location.path === "/") {
    window.location.replace("#/deployments");
    return null;
  }
  const match = matchRoute(ROUTES, location.path);
  return (
    <Layout path={location.path}>
      {match ? (
        <match.route.page params={match.params} query={location.query} />
      ) : (
        <NotFound path={location.path} />
      )}
    </Layout>
  );
}

render(<App />, document.getElementById("app")!);
