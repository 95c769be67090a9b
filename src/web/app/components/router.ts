/**
 * The hash router: `#/runs/abc?state=FAILED` is the path `/runs/abc` with its query. A hash
 * keeps every page at `/` on the server (one file, cached), and a link works when shared.
 */
import { useEffect, useState } from "preact/hooks";
import { type Location, locationOf } from "./location.ts";

export { type Location, matchRoute } from "./location.ts";

/** What a page gets: its path's parameters and the query. */
export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

/** The location now. */
export function currentLocation(): Location {
  return locationOf(window.location.hash);
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
