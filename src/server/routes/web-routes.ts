import { LOGIN_CODE, type LoginCodeJson } from "../../core/index.ts";
import { OPEN_CODE_TTL_MS, type WebSessions } from "../../web/index.ts";
import { json } from "../http.ts";
import type { Route } from "../router.ts";

/**
 * POST /api/web/login-codes: a fresh one-time login code, for whoever holds the token (`orch
 * open` reads it from .orch/token); it works for OPEN_CODE_TTL_MS.
 */
export function loginCodeRoute(sessions: () => WebSessions, now: () => number): Route {
  return {
    method: "POST",
    path: "/api/web/login-codes",
    operationId: "createLoginCode",
    summary: "A one-time code that logs a browser in to the web UI (open /login?code=...)",
    response: { status: 201, description: "The code and where to open it", schema: LOGIN_CODE },
    handler: () => {
      const code = sessions().newCode(OPEN_CODE_TTL_MS);
      const answer: LoginCodeJson = {
        code,
        login_path: `/login?code=${code}`,
        expires_at: new Date(now() + OPEN_CODE_TTL_MS).toISOString(),
      };
      return json(answer, 201);
    },
  };
}
