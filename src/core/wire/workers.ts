import { TIME_OR_NULL, type Wire } from "./schema.ts";

/** A worker as the API shows it. */
export const WORKER = {
  title: "Worker",
  type: "object",
  additionalProperties: false,
  required: [
    "id",
    "name",
    "pool",
    "host",
    "pid",
    "concurrency",
    "status",
    "started_at",
    "last_heartbeat",
  ],
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    pool: { type: "string" },
    host: { type: "string" },
    pid: { type: ["integer", "null"] },
    concurrency: { type: "integer", minimum: 1 },
    status: { type: "string", enum: ["online", "offline"] },
    started_at: TIME_OR_NULL,
    last_heartbeat: TIME_OR_NULL,
  },
} as const;

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

export type WorkerJson = Wire<typeof WORKER>;
export type HealthJson = Wire<typeof HEALTH>;
