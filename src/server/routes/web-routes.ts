import {
  LOGIN_CODE,
  type LoginCodeJson,
  WEB_SESSIONS_ENDED,
  type WebSessionsEndedJson,
} from "../../core/index.ts";
import { endWebSessions, type Store } from "../../store/index.ts";
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

/**
 * DELETE /api/web/sessions: end every web UI session (`orch logout`), for whoever holds the
 * token; a server's sessions are told at once (`ended`), a stopped one reads it when it starts.
 */
export function endSessionsRoute(store: Store, ended?: () => void): Route {
  return {
    method: "DELETE",
    path: "/api/web/sessions",
    operationId: "endWebSessions",
    summary: "End every web UI session: each browser must log in again (orch open)",
    response: { description: "Every session ended", schema: WEB_SESSIONS_ENDED },
    handler: () => {
      endWebSessions(store);
      ended?.();
      const answer: WebSessionsEndedJson = { ended: true };
      return json(answer);
    },
  };
}
