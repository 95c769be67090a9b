import { ERROR, VERSION } from "../core/index.ts";
import type { Route, RouteResponse } from "./router.ts";

/**
 * Response schemas with a `title` (the wire module's named shapes) become components, referred
 * to by `$ref`, so a client generated from the document gets one named type per shape. Request
 * bodies stay inline: they are the very objects the router checks bodies with.
 */
function hoist(
  node: unknown,
  schemas: Record<string, unknown>,
  seen: Map<string, unknown>,
): unknown {
  if (Array.isArray(node)) return node.map((n) => hoist(n, schemas, seen));
  if (!node || typeof node !== "object") return node;
  const copy = (value: object) =>
    Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hoist(v, schemas, seen)]));
  const title = (node as { title?: unknown }).title;
  if (typeof title !== "string") return copy(node);
  const known = seen.get(title);
  if (known !== undefined && known !== node) {
    throw new Error(`two different wire schemas are titled ${title}; give one another title`);
  }
  if (known === undefined) {
    seen.set(title, node);
    schemas[title] = copy(node);
  }
  return { $ref: `#/components/schemas/${title}` };
}

/** A route's success content: JSON by its schema, an event stream, or bytes. */
function content(response: RouteResponse, hoisted: (schema: unknown) => unknown) {
  return {
    ...(response.schema ? { "application/json": { schema: hoisted(response.schema) } } : {}),
    ...(response.stream
      ? {
          "text/event-stream": {
            schema: { type: "string", description: "Server-sent events; see the description" },
            ...(response.events
              ? {
                  // OpenAPI 3.1 cannot type a stream's messages: each event's data schema, by name.
                  // Inline (only what they hold is referred to): an extension's $ref counts for no
                  // use of a component, so a shape only streams have would stand unused.
                  "x-events": Object.fromEntries(
                    Object.entries(response.events).map(([name, s]) => [
                      name,
                      Object.fromEntries(Object.entries(s).map(([k, v]) => [k, hoisted(v)])),
                    ]),
                  ),
                }
              : {}),
          },
        }
      : {}),
    ...(response.text ? { "text/plain": { schema: { type: "string" } } } : {}),
    ...(response.bytes
      ? {
          "application/octet-stream": {
            schema: { type: "string", contentMediaType: "application/octet-stream" },
          },
        }
      : {}),
  };
}

/** The OpenAPI 3.1 document of the routes, made from the same schemas the router checks. */
export function openApiDocument(routes: Route[]): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  const seen = new Map<string, unknown>();
  const hoisted = (schema: unknown) => hoist(schema, schemas, seen);
  const error = hoisted(ERROR);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([a-z_]+)/g, "{$1}");
    const pathParams = [...route.path.matchAll(/:([a-z_]+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    const queryParams = Object.entries(route.query ?? {}).map(([name, schema]) => ({
      name,
      in: "query",
      required: false,
      ...(schema.description ? { description: schema.description } : {}),
      schema: Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "description")),
    }));
    const status = String(route.response.status ?? 200);
    paths[path] ??= {};
    paths[path]![route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(pathParams.length || queryParams.length
        ? { parameters: [...pathParams, ...queryParams] }
        : {}),
      ...(route.body
        ? {
            requestBody: {
              // An empty body reads as {}: it is enough unless the schema requires a key.
              required: ((route.body as { required?: unknown[] }).required ?? []).length > 0,
              content: { "application/json": { schema: route.body } },
            },
          }
        : {}),
      responses: {
        [status]: {
          description: route.response.description,
          ...(route.response.headers ? { headers: route.response.headers } : {}),
          content: content(route.response, hoisted),
        },
        "4XX": {
          description: "Bad input, refused or not found",
          content: { "application/json": { schema: error } },
        },
        "5XX": {
          description: "orch failed (the server logs why)",
          content: { "application/json": { schema: error } },
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "orch",
      version: VERSION,
      description: "The API of a local orch server",
    },
    servers: [{ url: "http://127.0.0.1:4200", description: "orch up's default address" }],
    components: {
      securitySchemes: {
        token: { type: "http", scheme: "bearer", description: "The token in .orch/token" },
      },
      schemas,
    },
    security: [{ token: [] }],
    paths,
  };
}
