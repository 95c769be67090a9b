/**
 * The page's boot script, inlined into index.html ahead of the app's script. On a page the
 * server gave a session (it writes the session's element only for a request that carries a
 * valid session cookie), it makes the page's first data ready for the app: the answers the
 * server wrote into the page (it drew the page's first frame from them), or else requests for
 * that data started at once, which run while the app's script loads. api.ts hands the answers
 * to the page, already read when they came in time, so the page's first frame can show them.
 */
import { pageLocation } from "./components/location.ts";
import {
  EARLY_KEY,
  type EarlyEntry,
  entryOf,
  FIRST_DATA_ELEMENT,
  type FirstData,
  SESSION_ELEMENT,
} from "./early.ts";
import { firstDataAt, startRangeAt } from "./first-data.ts";

if (document.getElementById(SESSION_ELEMENT)) {
  const early = new Map<string, EarlyEntry>();
  const written = document.getElementById(FIRST_DATA_ELEMENT)?.textContent;
  if (written) {
    const data = JSON.parse(written) as FirstData;
    startRangeAt(data.now);
    for (const [path, done] of Object.entries(data.answers)) early.set(path, entryOf(done));
  } else {
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
  }
  (window as unknown as Record<string, unknown>)[EARLY_KEY] = early;
}
