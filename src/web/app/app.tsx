/** @jsxImportSource preact */
/**
 * A page of the web UI inside its frame, for a location: what the browser draws once logged in,
 * and what the server draws as the page's first frame. This table is the only place that maps
 * paths to pages.
 */
import { Layout } from "./components/Layout.tsx";
import { type Location, matchRoute, PAGE_PATHS } from "./components/location.ts";
import type { Route } from "./components/router.ts";
import { DeploymentsPage } from "./pages/deployments.tsx";
import { EventsPage } from "./pages/events.tsx";
import { ProblemsPage } from "./pages/problems.tsx";
import { RunDetailPage } from "./pages/run-detail.tsx";
import { RunsPage } from "./pages/runs.tsx";
import { RunsChartPage } from "./pages/runs-chart.tsx";
import { WorkersPage } from "./pages/workers.tsx";

/** Every page, by path (each of PAGE_PATHS). */
const ROUTES: { [P in (typeof PAGE_PATHS)[number]]: Route["page"] } = {
  "/deployments": DeploymentsPage,
  "/runs": RunsPage,
  "/runs/:id": RunDetailPage,
  "/runs/chart/:deployment": RunsChartPage,
  "/events": EventsPage,
  "/workers": WorkersPage,
  "/problems": ProblemsPage,
};

const ROUTE_LIST: Route[] = PAGE_PATHS.map((path) => ({ path, page: ROUTES[path] }));

function NotFound({ path }: { path: string }) {
  return (
    <p>
      No page {path}. <a href="/deployments">Deployments</a>
    </p>
  );
}

/** The path a location shows: `/` is the deployments page. */
export const shownPath = (location: Location): string =>
  location.path === "/" ? "/deployments" : location.path;

/** The page at `location`, in its frame. */
export function Page({ location }: { location: Location }) {
  const path = shownPath(location);
  const match = matchRoute(ROUTE_LIST, path);
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
