import { OrchError } from "../core/index.ts";
import { errorResponse, type Handler, notFound } from "./http.ts";

/** One API route: the method, a path with `:params`, and its handler. */
export interface Route {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  summary: string;
  handler: Handler;
}

interface Compiled extends Route {
  pattern: RegExp;
  keys: string[];
}

/**
 * Make a fetch function that dispatches to routes and turns every error into a JSON 4xx/5xx.
 * `authorize` runs before any route (and before a 404), and throws to refuse.
 */
export function createRouter(
  routes: Route[],
  authorize?: (req: Request) => void,
): (req: Request) => Promise<Response> {
  const compiled: Compiled[] = routes.map((route) => {
    const keys: string[] = [];
    const source = route.path.replace(/:([a-z_]+)/g, (_, key: string) => {
      keys.push(key);
      return "([^/]+)";
    });
    return { ...route, keys, pattern: new RegExp(`^${source}/?$`) };
  });
  return async (req) => {
    try {
      authorize?.(req);
      const { pathname } = new URL(req.url);
      for (const route of compiled) {
        if (route.method !== req.method && !(req.method === "HEAD" && route.method === "GET")) {
          continue;
        }
        const match = route.pattern.exec(pathname);
        if (!match) continue;
        const params: Record<string, string> = {};
        route.keys.forEach((key, i) => {
          try {
            params[key] = decodeURIComponent(match[i + 1]!);
          } catch {
            throw new OrchError(
              "E_BAD_INPUT",
              `the path has invalid percent-encoding: ${pathname}`,
            );
          }
        });
        return await route.handler(req, params);
      }
      return notFound(req);
    } catch (error) {
      return errorResponse(error);
    }
  };
}
