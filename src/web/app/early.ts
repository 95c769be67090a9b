/**
 * What the server and the boot script leave in the page for the app: the session (its CSRF
 * token, written by the server into a logged-in browser's page only), and the answers of the
 * requests the boot script started early.
 */
import type { WebSessionJson } from "../../core/wire/web.ts";

/** Where the server writes a logged-in browser's session into the page (a comment in it). */
export const SESSION_SLOT = "<!--orch:session-->";

/** The id of the page's JSON element with the session. */
export const SESSION_ELEMENT = "orch-session";

/** Where the boot script leaves its requests (a Map of API path to EarlyEntry). */
export const EARLY_KEY = "__orchEarly";

/** The session the page was served with (what GET /web/session answers too). */
export type PageSession = WebSessionJson;

/** The session the server wrote into the page, or null (the page was served without one). */
export function pageSession(): PageSession | null {
  const text = document.getElementById(SESSION_ELEMENT)?.textContent;
  if (!text) return null;
  try {
    return JSON.parse(text) as PageSession;
  } catch {
    return null;
  }
}

/** A request the boot script started, and its answer once read. */
export interface EarlyEntry {
  answer: Promise<Response>;
  done?: { status: number; next: string | null; text: string };
}

const entries = () =>
  (window as unknown as Record<string, Map<string, EarlyEntry> | undefined>)[EARLY_KEY];

/** The boot script's answer to GET `path`, once (later asks go to the server). */
export function takeEarly(path: string): Promise<Response> | undefined {
  const entry = entries()?.get(path);
  entries()?.delete(path);
  return entry?.answer;
}

/**
 * The boot script's answer to GET `path` when it is in and read already, and a success; once.
 * A page drawing its first frame takes it at once, rather than a frame later.
 */
export function takeEarlyNow(path: string): { text: string; next: string | null } | undefined {
  const done = entries()?.get(path)?.done;
  if (!done || done.status < 200 || done.status > 299) return undefined;
  entries()?.delete(path);
  return done;
}

/** Forget the early answers: they were the first page's, and the page moved on. */
export function dropEarly(): void {
  entries()?.clear();
}
