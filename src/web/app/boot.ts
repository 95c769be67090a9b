/**
 * The page's boot script, inlined into index.html ahead of the app's script. On a page the
 * server gave a session (it writes the session's element only for a request that carries a
 * valid session cookie), it asks at once for the data the page shows first, so those requests
 * run while the app's script loads; api.ts hands the answers to the page, already read when they
 * came in time, so the page's first frame can show them.
 */
import { EARLY_KEY, type EarlyEntry, SESSION_ELEMENT } from "./early.ts";
import { firstDataOf } from "./first-data.ts";

if (document.getElementById(SESSION_ELEMENT)) {
  const early = new Map<string, EarlyEntry>();
  for (const path of firstDataOf(location.hash)) {
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
