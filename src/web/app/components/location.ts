/**
 * Where the page is, read from its hash (`#/runs/abc?state=FAILED`), and which route a path
 * matches. Plain functions with no UI: the page's boot script uses them too, before the app loads.
 */

/** Where the page is: the path after `#`, and its query. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

/** The location a hash names (`#/runs?state=FAILED`; empty: `/`). */
export function locationOf(hash: string): Location {
  const text = hash.replace(/^#/, "") || "/";
  const q = text.indexOf("?");
  return {
    path: q < 0 ? text : text.slice(0, q),
    query: new URLSearchParams(q < 0 ? "" : text.slice(q + 1)),
  };
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
        params[w.slice(1)] = decodeURIComponent(parts[i]!);
        return true;
      }
      return w === parts[i];
    });
    if (ok) return { route, params };
  }
  return null;
}
