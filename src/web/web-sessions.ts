/**
 * How a browser proves it holds the API token. Whoever can read `.orch/token` (`orch up`,
 * `orch open`) asks for a one-time login code; the browser trades the code for a session cookie.
 *
 * Why signed cookies rather than a table of sessions: a session is `expires.nonce.mac`, where the
 * MAC is keyed by a key derived from the API token and names this server's port. Sessions then
 * outlive a restart of `orch up` (a reload does not log the user out), and a new token (or
 * another project's server on another port of the same host, whose cookies the browser shares)
 * invalidates them without any state. The key is derived, never the token itself, so neither a
 * cookie nor a CSRF token can stand in for the token. Login codes are kept in memory: each works
 * once, and a server that stops forgets them.
 *
 * Ending sessions needs a little state, which the store keeps (so it outlives a restart): a
 * session logged out is remembered by its nonce until it would have expired, and ending every
 * session moves the key to a new generation, so no cookie (nor CSRF token) made before works.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "../core/index.ts";
import type { WebSessionState } from "../store/index.ts";

/** How long a session lasts after login. */
export const SESSION_TTL_MS = 7 * 24 * 3600_000;

/** How long a code from `orch open` may wait for its browser. */
export const OPEN_CODE_TTL_MS = 10 * 60_000;

/** Codes waiting at most at once; the oldest is dropped past it. */
const MAX_CODES = 100;

/** The header a page sends its CSRF token in, on every request that changes anything. */
export const CSRF_HEADER = "x-orch-csrf";

/** A logged-in browser. */
export interface WebSession {
  nonce: string;
  expiresAt: number;
}

/** What is remembered of ended sessions: the store's web session state. */
export type SessionState = WebSessionState;

/** Where ended sessions are remembered: read at start, written as sessions end. */
export interface SessionMemory {
  load(): SessionState;
  /** Remember `session` as ended; the state as it is now. */
  revoke(session: WebSession): SessionState;
}

/** Login codes and session cookies of one server. */
export interface WebSessions {
  /** The cookie's name: one per port, since a browser shares a host's cookies across ports. */
  cookieName: string;
  /** A fresh one-time login code, valid `ttlMs` (default: until used or the server stops). */
  newCode(ttlMs?: number): string;
  /** Use a login code up: a new session's cookie value, or null when the code is unknown/used. */
  exchange(code: string): string | null;
  /** The session a cookie header holds, or null when it holds none that is valid. */
  fromCookies(header: string | null): WebSession | null;
  /** The CSRF token of a session (what its page sends in CSRF_HEADER). */
  csrfToken(session: WebSession): string;
  /** Whether `given` is the session's CSRF token. */
  checkCsrf(session: WebSession, given: string | null): boolean;
  /** End one session (a logout): its cookie no longer works, even replayed. */
  revoke(session: WebSession): void;
  /** Read the remembered state again (after every session was ended elsewhere). */
  reload(): void;
  /** Be told of each session that ends (`null`: all of them); returns the unsubscribe. */
  onEnded(listener: (nonce: string | null) => void): () => void;
}

const b64 = (bytes: Buffer) => bytes.toString("base64url");

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The login codes and sessions of the server on `port` whose API token is `token`. */
export function createWebSessions(options: {
  token: string;
  port: number;
  clock: Clock;
  /** Where ended sessions are remembered (default: in memory, for this server's life). */
  memory?: SessionMemory;
}): WebSessions {
  const { clock, port } = options;
  let inMemory: SessionState = { generation: 0, revoked: {} };
  const memory: SessionMemory = options.memory ?? {
    load: () => inMemory,
    revoke(session) {
      inMemory = {
        ...inMemory,
        revoked: { ...inMemory.revoked, [session.nonce]: session.expiresAt },
      };
      return inMemory;
    },
  };
  let state = memory.load();
  // Generation 0 keeps the key sessions had before sessions could be ended.
  const keyOf = (generation: number) =>
    createHmac("sha256", options.token)
      .update(generation ? `orch web session key ${generation}` : "orch web session key")
      .digest();
  let key = keyOf(state.generation);
  const mac = (what: string) => b64(createHmac("sha256", key).update(what).digest());
  /** Code -> when it expires (Infinity: until used). */
  const codes = new Map<string, number>();
  const cookieName = `orch_session_${port}`;
  const listeners = new Set<(nonce: string | null) => void>();
  const take = (next: SessionState) => {
    const all = next.generation !== state.generation;
    state = next;
    key = keyOf(state.generation);
    return all;
  };

  return {
    cookieName,
    newCode(ttlMs) {
      const now = clock.now();
      for (const [code, until] of codes) if (until <= now) codes.delete(code);
      while (codes.size >= MAX_CODES) codes.delete(codes.keys().next().value!);
      const code = b64(randomBytes(18));
      codes.set(code, ttlMs === undefined ? Number.POSITIVE_INFINITY : now + ttlMs);
      return code;
    },
    exchange(code) {
      const until = codes.get(code);
      if (until === undefined) return null;
      codes.delete(code);
      if (until <= clock.now()) return null;
      const expires = clock.now() + SESSION_TTL_MS;
      const nonce = b64(randomBytes(18));
      return `${expires}.${nonce}.${mac(`session.${port}.${expires}.${nonce}`)}`;
    },
    fromCookies(header) {
      if (!header) return null;
      for (const part of header.split(";")) {
        const eq = part.indexOf("=");
        if (eq < 0 || part.slice(0, eq).trim() !== cookieName) continue;
        const [expires, nonce, given] = part
          .slice(eq + 1)
          .trim()
          .split(".");
        if (!expires || !nonce || !given || !/^\d+$/.test(expires)) continue;
        if (!same(given, mac(`session.${port}.${expires}.${nonce}`))) continue;
        const expiresAt = Number(expires);
        if (expiresAt <= clock.now() || state.revoked[nonce] !== undefined) continue;
        return { nonce, expiresAt };
      }
      return null;
    },
    csrfToken: (session) => mac(`csrf.${port}.${session.nonce}`),
    checkCsrf(session, given) {
      return given !== null && same(given, mac(`csrf.${port}.${session.nonce}`));
    },
    revoke(session) {
      take(memory.revoke(session));
      for (const listener of listeners) listener(session.nonce);
    },
    reload() {
      if (!take(memory.load())) return;
      for (const listener of listeners) listener(null);
    },
    onEnded(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
