/**
 * What the server and the boot script leave in the page for the app: the session (its CSRF
 * token, written by the server into a logged-in browser's page only), and the answers to the
 * page's first requests: written into the page by the server (which drew its first frame from
 * them), or asked for early by the boot script.
 */
import type { WebSessionJson } from "../../core/wire/web.ts";

/** Where the server writes a logged-in browser's session into the page (a comment in it). */
export const SESSION_SLOT = "<!--orch:session-->";

/** The id of the page's JSON element with the session. */
export const SESSION_ELEMENT = "orch-session";

/** The id of the page's JSON element with the server's answers to the page's first requests. */
export const FIRST_DATA_ELEMENT = "orch-first-data";

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

/** An answer as read: its status, its next page's cursor, its body. */
export interface EarlyAnswer {
  status: number;
  next: string | null;
  text: string;
}

/**
 * The answers the server wrote into a page: `now` is the time a listing's range counts back
 * from (the server's, so the page asks by the same paths), `answers` by API path.
 */
export interface FirstData {
  now: number;
  answers: Record<string, EarlyAnswer>;
}

/** A request the boot script started (or the server answered), and its answer once read. */
export interface EarlyEntry {
  answer: Promise<Response>;
  done?: EarlyAnswer;
}

/** The answers a render on the server reads, and its time (set only while it renders). */
let rendering: Map<string, EarlyEntry> | undefined;
let renderingAt: number | undefined;

/** The time a render on the server counts a listing's range back from; else undefined. */
export const renderTime = (): number | undefined => renderingAt;

const entries = () =>
  rendering ??
  (globalThis as unknown as Record<string, Map<string, EarlyEntry> | undefined>)[EARLY_KEY];

/**
 * Draw with `answers` as the early ones: the server draws a page's first frame from the same
 * answers it writes into the page, so the browser's first frame (which takes them) is the same.
 */
export function renderWith<T>(answers: Map<string, EarlyEntry>, now: number, render: () => T): T {
  rendering = answers;
  renderingAt = now;
  try {
    return render();
  } finally {
    rendering = undefined;
    renderingAt = undefined;
  }
}

/** An answer already read, as an entry (its Response made only if it is asked for). */
export function entryOf(done: EarlyAnswer): EarlyEntry {
  return {
    done,
    get answer() {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (done.next !== null) headers["x-next-cursor"] = done.next;
      return Promise.resolve(new Response(done.text, { status: done.status, headers }));
    },
  };
}

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
