import { OrchError } from "../core/index.ts";
import { checkSchema, renderPath } from "../core/json-schema.ts";
import { type ErrorLog, errorResponse, notFound } from "./http.ts";
import { parseBody } from "./read-body.ts";

/** A query parameter's JSON Schema (a scalar: string, integer, number or boolean). */
export interface QuerySchema {
  type: "string" | "integer" | "number" | "boolean";
  description?: string;
  minimum?: number;
  maximum?: number;
  enum?: readonly string[];
  default?: unknown;
}

/** What a handler gets: path parameters, the checked body and the coerced query. */
export interface RouteContext<B = unknown> {
  params: Record<string, string>;
  body: B;
  query: Record<string, string | number | boolean | undefined>;
}

/** A route's success answer, for the OpenAPI document. */
export interface RouteResponse {
  /** Default 200. */
  status?: number;
  description: string;
  /** The JSON body's schema (a wire schema from core). */
  schema?: object;
  /** The route streams server-sent events (with `schema`: only when asked to). */
  stream?: boolean;
  /** The schema of each SSE message's data, by event name. */
  events?: Record<string, object>;
  /** The body is a file's bytes. */
  bytes?: boolean;
  /** The body is plain text (its format told by the description). */
  text?: boolean;
  /** Response headers, as OpenAPI header objects. */
  headers?: Record<string, { description: string; schema: object }>;
}

/** One API route: the method, a path with `:params`, its schemas and its handler. */
export interface Route {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  /** Unique, camelCase verb and noun (`listRuns`): the name a generated client gives the call. */
  operationId: string;
  summary: string;
  /** The JSON Schema of the request body, checked before the handler runs. */
  body?: object;
  /** Query parameters, checked and coerced before the handler runs; others are refused. */
  query?: Record<string, QuerySchema>;
  /** The success response, for the OpenAPI document. */
  response: RouteResponse;
  /**
   * Whether the route checks its caller itself for these path parameters (a signed webhook),
   * so the server's token, Host and Origin rules do not apply to it.
   */
  checksCaller?: (params: Record<string, string>) => boolean;
  /** The query is the handler's to read (a webhook's secret parameter): none is checked. */
  openQuery?: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: each route declares its own body type
  handler: (req: Request, ctx: RouteContext<any>) => Response | Promise<Response>;
}

interface Compiled extends Route {
  /** The path itself, when it has no `:params` (compared as a string, no regex run). */
  literal: string | null;
  pattern: RegExp;
  keys: string[];
  /** The query's schema as one object, so it is compiled once (schemas are cached by identity). */
  querySchema: object;
}

function coerceQuery(route: Compiled, url: URL): RouteContext["query"] {
  // Most requests (every POST of a run) have no query and their route takes none: nothing to check.
  if (!route.query && !url.search) return {};
  const query: RouteContext["query"] = {};
  const problems = [];
  for (const key of url.searchParams.keys()) {
    if (!route.query?.[key])
      problems.push({ where: key, message: "is not a query parameter of this route" });
  }
  for (const [key, schema] of Object.entries(route.query ?? {})) {
    const raw = url.searchParams.get(key);
    if (raw === null || raw === "") {
      if (schema.default !== undefined) query[key] = schema.default as string | number | boolean;
      continue;
    }
    let value: string | number | boolean = raw;
    if (schema.type === "integer" || schema.type === "number") {
      value = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(value)) {
        problems.push({
          where: key,
          message: `must be ${schema.type === "integer" ? "an integer" : "a number"}, not ${JSON.stringify(raw)}`,
        });
        continue;
      }
    }
    if (schema.type === "boolean")
      value = raw === "1" || raw === "true" ? true : raw === "0" || raw === "false" ? false : raw;
    query[key] = value;
  }
  if (problems.length) throw new OrchError("E_BAD_INPUT", "the query is not valid", problems);
  for (const issue of checkSchema(route.querySchema, query, true)) {
    const where = renderPath(issue.path);
    const raw = url.searchParams.get(where);
    problems.push({
      where,
      message: issue.message.replace(/not NaN|not .*$/, `not ${JSON.stringify(raw)}`),
    });
  }
  if (problems.length) throw new OrchError("E_BAD_INPUT", "the query is not valid", problems);
  return query;
}

/** What a router needs besides its routes. */
export interface RouterOptions {
  /** Runs before any route (and before a 404), and throws to refuse. */
  authorize?: (req: Request) => void;
  /** Where failures of orch itself (500s) are logged, with their stack. */
  log?: ErrorLog;
  /** How long a client has to send a request's body (default BODY_TIMEOUT_MS). */
  bodyTimeoutMs?: number;
}

/** Make a fetch function that dispatches to routes and turns every error into a JSON 4xx/5xx. */
export function createRouter(
  routes: Route[],
  options: RouterOptions = {},
): (req: Request) => Promise<Response> {
  // Everything a request would otherwise redo is made here once: each route's pattern and query
  // schema, and the routes of each method in their order (the first that matches wins; HEAD is
  // served by GET routes).
  const byMethod = new Map<string, Compiled[]>();
  for (const route of routes) {
    const keys: string[] = [];
    const source = route.path.replace(/:([a-z_]+)/g, (_, key: string) => {
      keys.push(key);
      return "([^/]+)";
    });
    const compiled: Compiled = {
      ...route,
      keys,
      literal: keys.length ? null : route.path,
      pattern: new RegExp(`^${source}/?$`),
      querySchema: { type: "object", properties: route.query ?? {} },
    };
    for (const method of route.method === "GET" ? ["GET", "HEAD"] : [route.method]) {
      const list = byMethod.get(method) ?? [];
      list.push(compiled);
      byMethod.set(method, list);
    }
  }
  const none: Compiled[] = [];
  // The routes that check their own callers, by method: a request looks only at those.
  const selfChecked = new Map<string, Compiled[]>();
  for (const [method, list] of byMethod) {
    const own = list.filter((route) => route.checksCaller);
    if (own.length) selfChecked.set(method, own);
  }
  /** Whether a route that checks its own callers takes this request (then it alone decides). */
  const checksItself = (req: Request, url: URL): boolean =>
    (selfChecked.get(req.method) ?? none).some((route) => {
      const match = route.pattern.exec(url.pathname);
      if (!match) return false;
      try {
        const params = Object.fromEntries(
          route.keys.map((key, i) => [key, decodeURIComponent(match[i + 1]!)]),
        );
        return route.checksCaller!(params);
      } catch {
        return false;
      }
    });
  return async (req) => {
    try {
      const url = new URL(req.url);
      if (!checksItself(req, url)) options.authorize?.(req);
      const path = url.pathname;
      const bare = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
      for (const route of byMethod.get(req.method) ?? none) {
        let match: RegExpExecArray | null = null;
        if (route.literal !== null) {
          if (route.literal !== bare) continue;
        } else {
          match = route.pattern.exec(path);
          if (!match) continue;
        }
        const params: Record<string, string> = {};
        route.keys.forEach((key, i) => {
          try {
            params[key] = decodeURIComponent(match![i + 1]!);
          } catch {
            throw new OrchError("E_BAD_INPUT", `the path has invalid percent-encoding: ${path}`);
          }
        });
        const query = route.openQuery ? {} : coerceQuery(route, url);
        const body = route.body
          ? await parseBody(req, route.body, options.bodyTimeoutMs)
          : undefined;
        return await route.handler(req, { params, body, query });
      }
      return notFound(req);
    } catch (error) {
      return errorResponse(error, req, options.log);
    }
  };
}
