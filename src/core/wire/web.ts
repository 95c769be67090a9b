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
