/**
 * The page's boot script, inlined into index.html ahead of the app's script. On a page the
 * server gave a session (it writes the session's element only for a request that carries a
 * valid session cookie) but did not draw, it starts the requests for the page's first data at
 * once, which run while the app's script loads. api.ts hands the answers to the page, already
 * read when they came in time, so the page's first frame can show them. A page the server drew
 * holds its answers already: the app reads them when it takes the page over (main.tsx), not
 * here, where the script holds up the parsing of the page it runs in.
 */
import { pageLocation } from "./components/location.ts";
import { EARLY_KEY, type EarlyEntry, FIRST_DATA_ELEMENT, SESSION_ELEMENT } from "./early.ts";
import { firstDataAt } from "./first-data.ts";

if (document.getElementById(SESSION_ELEMENT) && !document.getElementById(FIRST_DATA_ELEMENT)) {
  const early = new Map<string, EarlyEntry>();
  for (const path of firstDataAt(pageLocation(location))) {
    const entry: EarlyEntry = { answer: fetch(path, { credentials: "same-origin" }) };
    entry.answer
      .then(async (res) => {
        const text = await res.clone().text();
        entry.done = { status: res.status, next: res.headers.get("x-next-cursor"), text };
      })
      // Not taken (the page asked for something else): not an unhandled rejection either.
      .catch(() => {});
    early.set(path, entry);
  }
  (window as unknown as Record<string, unknown>)[EARLY_KEY] = early;
}
