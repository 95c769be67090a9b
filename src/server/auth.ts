import { timingSafeEqual } from "node:crypto";
import { OrchError } from "../core/index.ts";
import { hostPort } from "./bind-addresses.ts";

export interface AuthOptions {
  token: string;
  /** The address the server is bound to. */
  host: string;
  port: number;
}

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]", "::1"];

/** Whether a bind address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || host.startsWith("127.");
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What a request without the right token is told: where the token is, locally and remotely. */
const WHERE_THE_TOKEN_IS =
  "send Authorization: Bearer <token>; the token is in .orch/token of the project (orch's own commands read it there), and elsewhere pass it with --token or ORCH_API_TOKEN";

/**
 * The rules every request to the server meets, with or without the token: on loopback it must
 * name this server in Host (no DNS rebinding) and, when it carries an Origin, come from it (no
 * cross-site requests from a web page). Throws E_FORBIDDEN. The web UI's pages use it too.
 */
export function createAddressCheck(options: Omit<AuthOptions, "token">): (req: Request) => void {
  const loopback = isLoopback(options.host);
  const hosts = new Set(
    (loopback ? [...LOOPBACK_NAMES, options.host] : [options.host]).map((h) =>
      hostPort(h, options.port).toLowerCase(),
    ),
  );
  return (req) => {
    const host = req.headers.get("host")?.toLowerCase();
    if (loopback && (!host || !hosts.has(host))) {
      throw new OrchError(
        "E_FORBIDDEN",
        `requests must be addressed to this server (Host ${host ?? "missing"} is not)`,
      );
    }
    const origin = req.headers.get("origin");
    if (origin !== null) {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).host.toLowerCase();
      } catch {}
      if (!originHost || (loopback ? !hosts.has(originHost) : originHost !== host)) {
        throw new OrchError("E_FORBIDDEN", `cross-origin requests are refused (Origin ${origin})`);
      }
    }
    if (req.headers.get("sec-fetch-site") === "cross-site") {
      throw new OrchError("E_FORBIDDEN", "cross-site requests are refused");
    }
  };
}

/**
 * The API's rules for who may ask: the address check above, and every request carries the
 * token, reads too (on a shared machine any local user could otherwise read every run's
 * parameters and logs), except GET /api/health on loopback, which says only that orch is up.
 * Throws E_FORBIDDEN or E_UNAUTHORIZED.
 */
export function createAuthorizer(options: AuthOptions): (req: Request) => void {
  const loopback = isLoopback(options.host);
  const checkAddress = createAddressCheck(options);
  return (req) => {
    checkAddress(req);
    const reads = req.method === "GET" || req.method === "HEAD";
    if (loopback && reads && new URL(req.url).pathname.replace(/\/$/, "") === "/api/health") return;
    const header = req.headers.get("authorization") ?? "";
    const given = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
    if (!given || !sameToken(given, options.token)) {
      throw new OrchError(
        "E_UNAUTHORIZED",
        given
          ? `the API token is wrong; ${WHERE_THE_TOKEN_IS}`
          : `this request needs the API token: ${WHERE_THE_TOKEN_IS}`,
      );
    }
  };
}
