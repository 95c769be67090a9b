/**
 * The app's page, as the server sends it. To a request that carries a valid session cookie, the
 * page comes with the session's CSRF token in it (so the app starts logged in without asking)
 * and, for a page that reads data first, with its first frame drawn and the answers it was
 * drawn from; such a page is this browser's alone and is never stored (no-store). Without a
 * session, it holds no token and no data, and asks for nothing.
 */
import type { WebSessionJson } from "../core/index.ts";
import { pageLocation } from "./app/components/location.ts";
import { FIRST_DATA_ELEMENT, SESSION_ELEMENT, SESSION_SLOT } from "./app/early.ts";
import type { AppFile } from "./app-assets.ts";

/** Where the built page's app element is, which the server fills with the first frame. */
export const APP_ELEMENT = '<div id="app"></div>';

/**
 * `value` as JSON that is safe inside a page's `<script type="application/json">`: no `<` (so
 * no `</script>` or `<!--` from a run's name or parameters ends or bends the element), and no
 * line separators that older parsers take for line ends.
 */
export function jsonForPage(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

/** A JSON element of the page. */
const jsonElement = (id: string, value: unknown) =>
  `<script type="application/json" id="${id}">${jsonForPage(value)}</script>`;

let renderer: Promise<typeof import("./render-page.tsx")> | undefined;

/** What draws pages, loaded once: for the first page, or as a browser logs in (a page comes next). */
export function warmPages(): Promise<typeof import("./render-page.tsx")> {
  renderer ??= import("./render-page.tsx");
  return renderer;
}

/**
 * The body of the page at `url` for a logged-in browser whose session is `session`; `ask`
 * answers an API path as that session would be answered.
 *
 * Why the server draws the first frame: a page drawn in the browser waits for the app's script
 * to arrive, be compiled and run, and for its data; drawn here, the rows are in the HTML, and
 * the browser shows them as soon as it has parsed it. The components are lazy-loaded on the
 * first page asked for, so `orch up` does not start slower for them.
 */
export async function pageForSession(
  file: AppFile,
  url: string,
  session: WebSessionJson,
  ask: (path: string) => Promise<Response>,
): Promise<string> {
  const { renderPage } = await warmPages();
  // A page that cannot be drawn here is still served: the browser draws it, as it can anyway.
  const rendered = await renderPage(pageLocation(new URL(url)), ask).catch(() => null);
  let slot = jsonElement(SESSION_ELEMENT, session);
  let body = file.body;
  if (rendered) {
    slot += jsonElement(FIRST_DATA_ELEMENT, rendered.data);
    body = body.replace(APP_ELEMENT, () => `<div id="app">${rendered.html}</div>`);
  }
  return body.replace(SESSION_SLOT, () => slot);
}
