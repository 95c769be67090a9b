import { VERSION } from "../core/index.ts";
import type { Route } from "./router.ts";

const ERROR = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string" },
        message: { type: "string" },
        problems: {
          type: "array",
          items: {
            type: "object",
            properties: { where: { type: "string" }, message: { type: "string" } },
          },
        },
      },
    },
  },
};

/** The OpenAPI 3.1 document of the routes, made from the same schemas the router checks. */
export function openApiDocument(routes: Route[]): Record<string, unknown> {
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
    const status = String(route.response?.status ?? 200);
    paths[path] ??= {};
    paths[path]![route.method.toLowerCase()] = {
      summary: route.summary,
      ...(pathParams.length || queryParams.length
        ? { parameters: [...pathParams, ...queryParams] }
        : {}),
      ...(route.body
        ? {
            requestBody: {
              required: false,
              content: { "application/json": { schema: route.body } },
            },
          }
        : {}),
      responses: {
        [status]: {
          description: route.response?.description ?? "OK",
          content: route.response?.stream
            ? { "text/event-stream": { schema: { type: "string" } } }
            : { "application/json": { schema: route.response?.schema ?? {} } },
        },
        "4XX": {
          description: "Bad input, refused or not found",
          content: { "application/json": { schema: ERROR } },
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "orch", version: VERSION, description: "The API of a local orch server" },
    components: {
      securitySchemes: {
        token: { type: "http", scheme: "bearer", description: "The token in .orch/token" },
      },
    },
    security: [{ token: [] }],
    paths,
  };
}
