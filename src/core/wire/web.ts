import type { Wire } from "./schema.ts";

/** POST /api/web/login-codes: a one-time code that logs a browser in to the web UI. */
export const LOGIN_CODE = {
  title: "LoginCode",
  type: "object",
  additionalProperties: false,
  required: ["code", "login_path", "expires_at"],
  properties: {
    code: { type: "string" },
    login_path: {
      type: "string",
      description: "Open the server's URL with this path to log in (/login?code=...)",
    },
    expires_at: { type: "string", format: "date-time" },
  },
} as const;

export type LoginCodeJson = Wire<typeof LOGIN_CODE>;

/** DELETE /api/web/sessions: every web UI session ended. */
export const WEB_SESSIONS_ENDED = {
  title: "WebSessionsEnded",
  type: "object",
  additionalProperties: false,
  required: ["ended"],
  properties: {
    ended: {
      type: "boolean",
      description: "Every browser logged in before is logged out; each must log in again",
    },
  },
} as const;

export type WebSessionsEndedJson = Wire<typeof WEB_SESSIONS_ENDED>;

/**
 * GET /web/session, and what the page is served with when its request holds a session: the
 * CSRF token its changes carry, and when the session ends.
 */
export const WEB_SESSION = {
  title: "WebSession",
  type: "object",
  additionalProperties: false,
  required: ["csrf_token", "expires_at"],
  properties: {
    csrf_token: { type: "string" },
    expires_at: { type: "string", format: "date-time" },
  },
} as const;

export type WebSessionJson = Wire<typeof WEB_SESSION>;
