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
    "runs",
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
    runs: { type: "integer", minimum: 0, description: "Runs it holds now (pending, running...)" },
  },
} as const;

export type WorkerJson = Wire<typeof WORKER>;
