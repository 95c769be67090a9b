/**
 * The router: the address's path is the page (`/runs/abc?state=FAILED`), so the server can draw
 * a page's first frame itself. Links within the app move without loading the page again (the
 * page's one click handler), and an older link's hash (`/#/runs`) still leads to its page.
 */
import { useEffect, useState } from "preact/hooks";
import { isPagePath, type Location, pageLocation } from "./location.ts";

export { type Location, matchRoute } from "./location.ts";

/** What a page gets: its path's parameters and the query. */
export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

/** The event the router sends when it moved the page (history's own moves send popstate). */
const MOVED = "orch:navigate";

/** The location now. */
export function currentLocation(): Location {
  return pageLocation(window.location);
}

/**
 * Be told whenever the page moves: a link, the history's back and forward, or an older link's
 * hash (`#/runs`, in an artifact). Returns the way to stop.
 */
export function onMove(listener: () => void): () => void {
  const events = ["popstate", "hashchange", MOVED];
  for (const name of events) window.addEventListener(name, listener);
  return () => {
    for (const name of events) window.removeEventListener(name, listener);
  };
}

/** The location, as it changes. */
export function useLocation(): Location {
  const [location, setLocation] = useState(currentLocation);
  useEffect(() => onMove(() => setLocation(currentLocation())), []);
  return location;
}

/** The href of a page (`href("/runs", { state: "FAILED" })`). */
export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
  const text = q.toString();
  return `${path}${text ? `?${text}` : ""}`;
}

/** Go to `target` (a page's href); `replace` keeps the history as it is (a filter changed). */
export function go(target: string, replace = false): void {
  if (replace) window.history.replaceState(null, "", target);
  else window.history.pushState(null, "", target);
  window.dispatchEvent(new Event(MOVED));
}

/** Go to a page; `replace` keeps the history as it is (a filter changed). */
export function navigate(
  path: string,
  query: Record<string, string | undefined> = {},
  replace = false,
): void {
  go(href(path, query), replace);
}

/**
 * Follow the app's own links without loading the page again: a plain click on a link to one of
 * its pages moves the page there. Anything else (a new tab, a modifier key, a download, another
 * origin, an API file) is the browser's. Called once, by the app.
 */
export function followLinks(): void {
  document.addEventListener("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
      return;
    }
    const link = (e.target as Element | null)?.closest?.("a[href]") as HTMLAnchorElement | null;
    if (!link || link.target || link.hasAttribute("download")) return;
    const url = new URL(link.href);
    if (url.origin !== window.location.origin || !isPagePath(url.pathname)) return;
    e.preventDefault();
    go(`${url.pathname}${url.search}`);
  });
}

/** A route: a path with `:params`, and the page that shows it. */
export interface Route {
  path: string;
  page: (props: PageProps) => preact.JSX.Element | null;
}
