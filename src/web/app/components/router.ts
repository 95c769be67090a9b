/**
 * The hash router: `#/runs/abc?state=FAILED` is the path `/runs/abc` with its query. A hash
 * keeps every page at `/` on the server (one file, cached), and a link works when shared.
 */
import { useEffect, useState } from "preact/hooks";

/** Where the page is: the path after `#`, and its query. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

/** What a page gets: its path's parameters and the query. */
export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

/** The location now. */
export function currentLocation(): Location {
  const hash = window.location.hash.replace(/^#/, "") || "/";
  const q = hash.indexOf("?");
  return {
    path: q < 0 ? hash : hash.slice(0, q),
    query: new URLSearchParams(q < 0 ? "" : hash.slice(q + 1)),
  };
}

/** The location, as it changes. */
export function useLocation(): Location {
  const [location, setLocation] = useState(currentLocation);
  useEffect(() => {
    const changed = () => setLocation(currentLocation());
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return location;
}

/** The href of a page (`href("/runs", { state: "FAILED" })`). */
export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
  const text = q.toString();
  return `#${path}${text ? `?${text}` : ""}`;
}

/** Go to a page; `replace` keeps the history as it is (a filter changed). */
export function navigate(
  path: string,
  query: Record<string, string | undefined> = {},
  replace = false,
): void {
  const target = href(path, query);
  if (replace) window.history.replaceState(null, "", target);
  else window.location.hash = target;
  if (replace) window.dispatchEvent(new HashChangeEvent("hashchange"));
}

/** A route: a path with `:params`, and the page that shows it. */
export interface Route {
  path: string;
  page: (props: PageProps) => preact.JSX.Element | null;
}

/** The route that matches `path`, with its parameters, or null. */
export function matchRoute(
  routes: Route[],
  path: string,
): { route: Route; params: Record<string, string> } | null {
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
