import type { Wire } from "./schema.ts";

/** GET /api/health: the server is up, and which project it serves. */
export const HEALTH = {
  title: "Health",
  type: "object",
  additionalProperties: false,
  required: ["status", "version", "pid", "project", "host"],
  properties: {
    status: { type: "string", enum: ["ok"] },
    version: { type: "string" },
    pid: { type: "integer" },
    project: { type: "string", description: "The project's root folder" },
    host: { type: "string" },
  },
} as const;

/** GET /api/openapi.json: this API as an OpenAPI 3.1 document. */
export const OPENAPI_DOCUMENT = {
  title: "OpenApiDocument",
  type: "object",
  required: ["openapi", "info", "paths"],
  properties: { openapi: { type: "string" }, info: { type: "object" }, paths: { type: "object" } },
} as const;

export type HealthJson = Wire<typeof HEALTH>;
