/**
 * Where the page is, read from its address (`/runs/abc?state=FAILED`), and which route a path
 * matches. Plain functions with no UI: the page's boot script and the server use them too.
 */

/** Where the page is: its path and its query. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

/**
 * Every page's path (with `:params`): the app's routes, and the addresses the server answers
 * with the app's page (rendered there, for a logged-in browser). `/` is the deployments page.
 */
export const PAGE_PATHS = [
  "/deployments",
  "/runs",
  "/runs/:id",
  "/runs/chart/:deployment",
  "/events",
  "/workers",
  "/problems",
] as const;

const PAGE_ROUTES = PAGE_PATHS.map((path) => ({ path }));

/** Whether `path` is one of the app's pages (or `/`). */
export const isPagePath = (path: string): boolean =>
  path === "/" || matchRoute(PAGE_ROUTES, path) !== null;

/** The location a hash names (`#/runs?state=FAILED`; empty: `/`), as older links had it. */
export function locationOf(hash: string): Location {
  return splitPath(hash.replace(/^#/, "") || "/");
}

/** A path with its query (`/runs?state=FAILED`) as a location. */
function splitPath(text: string): Location {
  const q = text.indexOf("?");
  return {
    path: q < 0 ? text : text.slice(0, q),
    query: new URLSearchParams(q < 0 ? "" : text.slice(q + 1)),
  };
}

/**
 * The location of a page's address: its path and query, or, for an older link's hash
 * (`/#/runs?state=FAILED`), the hash's.
 */
export function pageLocation(url: { pathname: string; search: string; hash: string }): Location {
  if (url.hash.startsWith("#/")) return locationOf(url.hash);
  return splitPath(`${url.pathname}${url.search}`);
}

/** A path segment decoded (a malformed escape stays as it came: it names no page). */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The route whose path (with `:params`) matches `path`, with its parameters, or null. */
export function matchRoute<R extends { path: string }>(
  routes: readonly R[],
  path: string,
): { route: R; params: Record<string, string> } | null {
  const parts = path.split("/").filter(Boolean);
  for (const route of routes) {
    const want = route.path.split("/").filter(Boolean);
    if (want.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = want.every((w, i) => {
      if (w.startsWith(":")) {
        params[w.slice(1)] = decoded(parts[i]!);
        return true;
      }
      return w === parts[i];
    });
    if (ok) return { route, params };
  }
  return null;
}
