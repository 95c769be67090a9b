import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  endWebSessions,
  openStore,
  revokeWebSession,
  type Store,
  webSessionState,
} from "../../src/store/index.ts";
import { createWebSessions, OPEN_CODE_TTL_MS } from "../../src/web/index.ts";
import { tempDir } from "../helpers.ts";

const SEVEN_DAYS = 7 * 24 * 3600_000;

function sessionsAt(start: number, options: { token?: string; port?: number } = {}) {
  const clock = { t: start, now: () => clock.t };
  const sessions = createWebSessions({
    token: options.token ?? "t0ken",
    port: options.port ?? 4200,
    clock,
  });
  return { clock, sessions };
}

const cookieOf = (name: string, value: string) => `other=1; ${name}=${value}; more=2`;

describe("web sessions", () => {
  test("a code works once; a code from orch open expires", () => {
    const { clock, sessions } = sessionsAt(1_000_000);
    const code = sessions.newCode();
    expect(sessions.exchange(code)).toBeTypeOf("string");
    expect(sessions.exchange(code)).toBeNull();
    const short = sessions.newCode(OPEN_CODE_TTL_MS);
    clock.t += OPEN_CODE_TTL_MS + 1;
    expect(sessions.exchange(short)).toBeNull();
    const lasting = sessions.newCode();
    clock.t += SEVEN_DAYS;
    expect(sessions.exchange(lasting)).toBeTypeOf("string");
  });

  test("a session lasts seven days, then its cookie holds none", () => {
    const { clock, sessions } = sessionsAt(1_000_000);
    const value = sessions.exchange(sessions.newCode())!;
    const header = cookieOf(sessions.cookieName, value);
    expect(sessions.fromCookies(header)).not.toBeNull();
    clock.t += SEVEN_DAYS - 1;
    expect(sessions.fromCookies(header)).not.toBeNull();
    clock.t += 1;
    expect(sessions.fromCookies(header)).toBeNull();
  });

  test("a cookie outlives a restart, but not a new token, another port or an edit", () => {
    const first = sessionsAt(1_000_000).sessions;
    const value = first.exchange(first.newCode())!;
    const header = cookieOf(first.cookieName, value);
    expect(sessionsAt(1_000_000).sessions.fromCookies(header)).not.toBeNull();
    expect(sessionsAt(1_000_000, { token: "another" }).sessions.fromCookies(header)).toBeNull();
    const otherPort = sessionsAt(1_000_000, { port: 4201 }).sessions;
    expect(otherPort.fromCookies(cookieOf(otherPort.cookieName, value))).toBeNull();
    const [expires, nonce, mac] = value.split(".");
    const later = `${Number(expires) + SEVEN_DAYS}.${nonce}.${mac}`;
    expect(first.fromCookies(cookieOf(first.cookieName, later))).toBeNull();
  });

  test("each session has its own CSRF token, which is neither the cookie nor the token", () => {
    const { sessions } = sessionsAt(1_000_000);
    const a = sessions.fromCookies(
      cookieOf(sessions.cookieName, sessions.exchange(sessions.newCode())!),
    )!;
    const b = sessions.fromCookies(
      cookieOf(sessions.cookieName, sessions.exchange(sessions.newCode())!),
    )!;
    const csrfA = sessions.csrfToken(a);
    expect(sessions.checkCsrf(a, csrfA)).toBe(true);
    expect(sessions.checkCsrf(b, csrfA)).toBe(false);
    expect(sessions.checkCsrf(a, null)).toBe(false);
    expect(csrfA).not.toContain("t0ken");
  });

  test("a session logged out stays ended, after a restart too; ending all ends every one", () => {
    const t = tempDir("orch-web-sessions-");
    let store: Store | undefined;
    try {
      store = openStore(join(t.dir, "orch.db"));
      const db = store;
      const clock = { now: () => 1_000_000 };
      // The server's sessions as start-server makes them: what ends is kept in the store.
      const start = () =>
        createWebSessions({
          token: "t0ken",
          port: 4200,
          clock,
          memory: {
            load: () => webSessionState(db),
            revoke: (session) => revokeWebSession(db, session, clock.now()),
          },
        });
      const sessions = start();
      const login = () => cookieOf(sessions.cookieName, sessions.exchange(sessions.newCode())!);
      const [a, b, c] = [login(), login(), login()];
      const told: (string | null)[] = [];
      sessions.onEnded((nonce) => told.push(nonce));
      const sessionA = sessions.fromCookies(a)!;
      const csrfB = sessions.csrfToken(sessions.fromCookies(b)!);
      sessions.revoke(sessionA);
      expect(told).toEqual([sessionA.nonce]);
      expect(sessions.fromCookies(a)).toBeNull();
      expect(sessions.fromCookies(b)).not.toBeNull();
      // The next server of this project (a restart) still refuses the cookie logged out.
      const restarted = start();
      expect(restarted.fromCookies(a)).toBeNull();
      expect(restarted.fromCookies(b)).not.toBeNull();
      // Every session ended (orch logout, through the store): a running server reads it again.
      endWebSessions(db);
      sessions.reload();
      expect(told).toEqual([sessionA.nonce, null]);
      for (const cookie of [a, b, c]) expect(sessions.fromCookies(cookie)).toBeNull();
      for (const cookie of [b, c]) expect(start().fromCookies(cookie)).toBeNull();
      // A new login works, with a CSRF token unlike any before.
      const d = sessions.fromCookies(login())!;
      expect(d).not.toBeNull();
      expect(sessions.csrfToken(d)).not.toBe(csrfB);
    } finally {
      store?.close();
      t.cleanup();
    }
  });
});
