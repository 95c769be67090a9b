import type { RetentionSpec } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

// A project sets some things once for all its deployments, in any one definition file; the
// store keeps them by key, as JSON, so the server and `orch doctor` read the same.

function getSetting<T>(store: Store, key: string): T | null {
  const row = sqlite(store).query("SELECT value FROM settings WHERE key = ?").get(key) as {
    value: string;
  } | null;
  return row ? (JSON.parse(row.value) as T) : null;
}

function setSetting(store: Store, key: string, value: unknown): void {
  if (value === null) sqlite(store).query("DELETE FROM settings WHERE key = ?").run(key);
  else
    sqlite(store)
      .query(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      )
      .run(key, JSON.stringify(value));
}

/** The project's retention (`retention:` at the top of a definition file) and where it is set. */
export interface ProjectRetention {
  spec: RetentionSpec;
  /** The definition file that sets it: `flows/orch.yaml`. */
  source: string;
}

/** The project's retention, or null when no definition file sets one. */
export function projectRetention(store: Store): ProjectRetention | null {
  return getSetting<ProjectRetention>(store, "retention");
}

/** Set (or, with null, clear) the project's retention. */
export function setProjectRetention(store: Store, retention: ProjectRetention | null): void {
  setSetting(store, "retention", retention);
}

/**
 * What the server must remember of the web UI's sessions (they are signed cookies, see
 * web/web-sessions.ts): the generation of their key (ending every session makes a new one), and
 * each session ended on its own (logged out) by its nonce, until it would have expired anyway.
 */
export interface WebSessionState {
  generation: number;
  /** Nonce -> when that session would have expired (epoch ms). */
  revoked: Record<string, number>;
}

/** The web UI's session state (a fresh project: generation 0, none revoked). */
export function webSessionState(store: Store): WebSessionState {
  return getSetting<WebSessionState>(store, "web_sessions") ?? { generation: 0, revoked: {} };
}

/** End one session (by its nonce) for good; sessions past their expiry are forgotten. */
export function revokeWebSession(
  store: Store,
  session: { nonce: string; expiresAt: number },
  now: number,
): WebSessionState {
  return store.tx(() => {
    const state = webSessionState(store);
    const revoked: Record<string, number> = { [session.nonce]: session.expiresAt };
    for (const [nonce, until] of Object.entries(state.revoked))
      if (until > now) revoked[nonce] = until;
    const next = { generation: state.generation, revoked };
    setSetting(store, "web_sessions", next);
    return next;
  });
}

/** End every session: a new key generation (no cookie made before it is valid again). */
export function endWebSessions(store: Store): WebSessionState {
  return store.tx(() => {
    const next = { generation: webSessionState(store).generation + 1, revoked: {} };
    setSetting(store, "web_sessions", next);
    return next;
  });
}
