/**
 * The server's front for browsers: the web app's files at `/`, the login with a one-time code,
 * and the API for a logged-in browser. Everything else goes to the API unchanged.
 *
 * Why the session becomes the token here: a logged-in browser's API request gets the server's
 * bearer token added, so the API keeps one rule for who may ask (its authorizer still checks
 * Host and Origin), and every route, the event stream too, needs the session exactly as it needs
 * the token. A request that changes anything must also come from the server's own page: its
 * Origin must be the server's, and it must carry the session's CSRF token. The cookie is
 * HttpOnly (no script reads it) and SameSite=Strict (no other site's page sends it).
 */
import { OrchError, type WebSessionJson } from "../core/index.ts";
import { isPagePath } from "./app/components/location.ts";
import { type AppAssets, type AppFile, loadAppAssets } from "./app-assets.ts";
import { contentPolicy } from "./content-policy.ts";
import { pageForSession, warmPages } from "./serve-page.ts";
import { createSessionStreams } from "./session-streams.ts";
import { CSRF_HEADER, SESSION_TTL_MS, type WebSession, type WebSessions } from "./web-sessions.ts";

/** What the front serves with. */
export interface WebFrontOptions {
  /** The API (its router, with its authorizer). */
  api: (req: Request) => Promise<Response>;
  /** The server's API token, added to a logged-in browser's API requests. */
  token: string;
  sessions: WebSessions;
  /** The server's Host/Origin rules (no DNS rebinding, no cross-site requests). */
  checkAddress: (req: Request) => void;
  /** An error as the API answers it (JSON with its status; a failure of orch is logged). */
  errorResponse: (error: unknown, req: Request) => Response;
  /** The app's files (default: those built into the executable). */
  assets?: () => Promise<AppAssets>;
}

/** Headers of every page and file: no framing, no sniffing, no referrer, nothing but our own. */
const PAGE_HEADERS = {
  "content-security-policy": contentPolicy({ scripts: [], styles: [] }),
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

const NOT_LOGGED_IN =
  "this browser is not logged in to orch: open the URL with the login code that orch up printed, or run orch open in the project";

/** The path of a request URL, without parsing all of it (this runs before every API call). */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const end = url.slice(start).search(/[?#]/);
  return end < 0 ? url.slice(start) : url.slice(start, start + end);
}

const writes = (req: Request) => req.method !== "GET" && req.method !== "HEAD";

/** Make the server's fetch: the web front before the API. */
export function createWebFront(options: WebFrontOptions): (req: Request) => Promise<Response> {
  const { api, sessions, checkAddress } = options;
  const gzipped = new Map<string, Uint8Array>();
  let assets: Promise<AppAssets> | undefined;
  const files = () => {
    assets ??= (options.assets ?? loadAppAssets)();
    // A failed build is tried again on the next request (from source, it may be fixed by then).
    assets.catch(() => {
      assets = undefined;
    });
    return assets;
  };

  /** The request's session, checked as a write needs when it is one; null when it has none. */
  function sessionOf(req: Request): WebSession | null {
    const session = sessions.fromCookies(req.headers.get("cookie"));
    if (!session || !writes(req)) return session;
    const origin = req.headers.get("origin");
    const own = `http://${req.headers.get("host")}`;
    if (origin?.toLowerCase() !== own.toLowerCase()) {
      throw new OrchError(
        "E_FORBIDDEN",
        `a change from a browser must come from orch's own page (Origin ${origin ?? "missing"})`,
      );
    }
    if (!sessions.checkCsrf(session, req.headers.get(CSRF_HEADER))) {
      throw new OrchError(
        "E_FORBIDDEN",
        `a change from a browser must carry its page's CSRF token (the ${CSRF_HEADER} header); reload the page`,
      );
    }
    return session;
  }

  /** An API request: from a logged-in browser, with the token added; else as it came. */
  async function apiRequest(req: Request): Promise<Response> {
    if (req.headers.has("authorization") || !req.headers.has("cookie")) return api(req);
    const session = sessionOf(req);
    if (!session) return api(req);
    const headers = new Headers(req.headers);
    headers.set("authorization", `Bearer ${options.token}`);
    return endsWithSession(session, req, await api(new Request(req, { headers })));
  }

  const endsWithSession = createSessionStreams(sessions);

  function login(req: Request): Response {
    const code = new URL(req.url).searchParams.get("code") ?? "";
    const cookie = code ? sessions.exchange(code) : null;
    if (cookie) {
      void warmPages();
      const maxAge = Math.floor(SESSION_TTL_MS / 1000);
      return new Response(null, {
        status: 303,
        headers: {
          location: "/deployments",
          "set-cookie": `${sessions.cookieName}=${cookie}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}`,
          "cache-control": "no-store",
          ...PAGE_HEADERS,
        },
      });
    }
    // A used code in a browser that is logged in already (a reload, a bookmark): go on in.
    if (sessions.fromCookies(req.headers.get("cookie"))) {
      return new Response(null, { status: 303, headers: { location: "/", ...PAGE_HEADERS } });
    }
    return new Response(loginRefusedPage(), {
      status: 403,
      headers: { "content-type": "text/html; charset=utf-8", ...PAGE_HEADERS },
    });
  }

  /** A body as the request accepts it: gzipped when it may be (`cached`: kept for next time). */
  function encoded(req: Request, body: string, headers: Record<string, string>, cached?: string) {
    if (!/\bgzip\b/.test(req.headers.get("accept-encoding") ?? "")) {
      return new Response(body, { headers });
    }
    let zipped = cached === undefined ? undefined : gzipped.get(cached);
    if (!zipped) {
      zipped = Bun.gzipSync(body);
      if (cached !== undefined) gzipped.set(cached, zipped);
    }
    return new Response(zipped as Uint8Array<ArrayBuffer>, {
      headers: { ...headers, "content-encoding": "gzip" },
    });
  }

  /** What a session's page and GET /web/session say of it: its CSRF token and its end. */
  const sessionJson = (session: WebSession): WebSessionJson => ({
    csrf_token: sessions.csrfToken(session),
    expires_at: new Date(session.expiresAt).toISOString(),
  });

  /** The app's page (see serve-page.ts): never stored, and this browser's alone with a session. */
  async function servePage(req: Request, file: AppFile): Promise<Response> {
    const session = sessions.fromCookies(req.headers.get("cookie"));
    const headers: Record<string, string> = {
      "content-type": file.type,
      "cache-control": "no-store",
      vary: "accept-encoding, cookie",
      ...PAGE_HEADERS,
      ...(file.csp ? { "content-security-policy": file.csp } : {}),
    };
    if (!session) return encoded(req, file.body, headers, "/index.html");
    // The page's first data, asked of the API as this session's own requests are.
    const ask = (path: string) =>
      api(
        new Request(new URL(path, req.url), {
          headers: {
            host: req.headers.get("host") ?? "",
            authorization: `Bearer ${options.token}`,
          },
        }),
      );
    return encoded(req, await pageForSession(file, req.url, sessionJson(session), ask), headers);
  }

  async function serveFile(req: Request, path: string): Promise<Response | null> {
    const all = await files();
    const key = isPagePath(path) ? "/index.html" : path;
    const file: AppFile | undefined = all[key];
    if (!file) return null;
    if (key === "/index.html") return servePage(req, file);
    const immutable = path.startsWith("/assets/");
    const headers: Record<string, string> = {
      "content-type": file.type,
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      vary: "accept-encoding",
      ...PAGE_HEADERS,
    };
    return encoded(req, file.body, headers, path);
  }

  async function web(req: Request, path: string): Promise<Response | null> {
    checkAddress(req);
    if (path === "/login" && req.method === "GET") return login(req);
    if (path === "/web/session") {
      const session = sessionOf(req);
      if (!session) throw new OrchError("E_UNAUTHORIZED", NOT_LOGGED_IN);
      if (req.method === "GET") {
        return Response.json(sessionJson(session), { headers: { "cache-control": "no-store" } });
      }
      if (req.method === "DELETE") {
        // Logged out on the server too: this cookie no longer works, even if replayed.
        sessions.revoke(session);
        return Response.json(
          { logged_out: true },
          {
            headers: {
              "set-cookie": `${sessions.cookieName}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`,
            },
          },
        );
      }
      return null;
    }
    if (req.method === "GET" || req.method === "HEAD") return serveFile(req, path);
    return null;
  }

  return async (req) => {
    const path = pathOf(req.url);
    try {
      if (path.startsWith("/api/")) return await apiRequest(req);
      if (
        isPagePath(path) ||
        path === "/login" ||
        path === "/index.html" ||
        path.startsWith("/web/") ||
        path.startsWith("/assets/")
      ) {
        const answer = await web(req, path);
        if (answer) return answer;
      }
      return await api(req);
    } catch (error) {
      return options.errorResponse(error, req);
    }
  };
}

/** What a browser sees for a login code that is not (or no longer) valid. */
function loginRefusedPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>orch: log in</title></head>
<body>
<h1>This login code does not work</h1>
<p>A login code works once: it was used already, or it expired, or orch was restarted since it was made.</p>
<p>For a fresh one, run <code>orch open</code> in the project (it opens this page logged in), or use the URL that <code>orch up</code> printed when it started.</p>
</body></html>`;
}
