/**
 * The page's boot script, inlined into index.html ahead of the app's script. On a page the
 * server gave a session (it writes the session's element only for a request that carries a
 * valid session cookie), it asks at once for the data the page shows first, so those requests
 * run while the app's script loads; api.ts hands the answers to the page.
 */
import { EARLY_KEY, SESSION_ELEMENT } from "./early.ts";
import { firstDataOf } from "./first-data.ts";

if (document.getElementById(SESSION_ELEMENT)) {
  const early = new Map<string, Promise<Response>>();
  for (const path of firstDataOf(location.hash)) {
    const answer = fetch(path, { credentials: "same-origin" });
    // Not taken (the page asked for something else): not an unhandled rejection either.
    answer.catch(() => {});
    early.set(path, answer);
  }
  (window as unknown as Record<string, unknown>)[EARLY_KEY] = early;
}
