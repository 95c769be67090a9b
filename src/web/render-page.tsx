/** @jsxImportSource preact */
/**
 * The first frame of a page, drawn on the server for a logged-in browser: the page's first data
 * (the same API paths the page asks for, answered by the API itself), and the page drawn from it
 * by the app's own components. The browser gets both in the page: it shows the frame as soon as
 * the HTML is in, and the app takes it over from the same answers, so nothing is drawn twice.
 */
import { renderToString } from "preact-render-to-string";
import { Page } from "./app/app.tsx";
import type { Location } from "./app/components/location.ts";
import {
  type EarlyAnswer,
  type EarlyEntry,
  entryOf,
  type FirstData,
  renderWith,
} from "./app/early.ts";
import { firstDataAt } from "./app/first-data.ts";

/** A page's first frame: its HTML, and the answers it was drawn from (for the page's JSON). */
export interface RenderedPage {
  html: string;
  data: FirstData;
}

/**
 * Draw the page at `location` from its first data, each path answered by `ask` (the API, as
 * the browser's session may ask it). Null for a page that reads no data first: the browser
 * draws it, as it would anyway.
 */
export async function renderPage(
  location: Location,
  ask: (path: string) => Promise<Response>,
  now = Date.now(),
): Promise<RenderedPage | null> {
  const paths = renderWith(new Map(), now, () => firstDataAt(location));
  if (!paths.length) return null;
  const answers: Record<string, EarlyAnswer> = {};
  await Promise.all(
    paths.map(async (path) => {
      const res = await ask(path);
      answers[path] = {
        status: res.status,
        next: res.headers.get("x-next-cursor"),
        text: await res.text(),
      };
    }),
  );
  const entries = new Map<string, EarlyEntry>(
    Object.entries(answers).map(([path, done]) => [path, entryOf(done)]),
  );
  const html = renderWith(entries, now, () => renderToString(<Page location={location} />));
  return { html, data: { now, answers } };
}
