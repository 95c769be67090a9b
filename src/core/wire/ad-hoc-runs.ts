/** Ad-hoc runs (no deployment), held by the worker that runs them: `orch flow run`, replays. */

import { TAGS } from "./runs.ts";
import { OBJECT, type Wire } from "./schema.ts";

/** POST /api/runs: an ad-hoc run (no deployment), held by the worker that runs it. */
export const AD_HOC_RUN_REQUEST = {
  title: "AdHocRunRequest",
  type: "object",
  additionalProperties: false,
  required: ["flow", "worker_id"],
  properties: {
    flow: { type: "string", minLength: 1, maxLength: 4096, description: "The flow's file" },
    export: { type: "string", minLength: 1, maxLength: 200, description: "Default: default" },
    name: { type: "string", minLength: 1, maxLength: 200, description: "The flow's name" },
    parameters: OBJECT,
    tags: TAGS,
    worker_id: {
      type: "string",
      minLength: 1,
      maxLength: 100,
      description: "The registered worker that runs it (orch flow run registers one)",
    },
    retries: {
      type: "integer",
      minimum: 0,
      maximum: 1000,
      description: "How many times a failed attempt is retried (the flow's own retries)",
    },
    retry_delay_ms: {
      type: "integer",
      minimum: 0,
      description: "How long a failed attempt waits before its retry",
    },
  },
} as const;

/** POST /api/workers/:id/runs/:run/retries: an ad-hoc run's retries, as its flow declares them. */
export const AD_HOC_RETRIES_REQUEST = {
  title: "AdHocRetriesRequest",
  type: "object",
  additionalProperties: false,
  required: ["retries"],
  properties: {
    retries: {
      type: "integer",
      minimum: 0,
      maximum: 1000,
      description: "How many times a failed attempt is retried",
    },
    retry_delay_ms: {
      type: "integer",
      minimum: 0,
      description: "How long a failed attempt waits before its retry",
    },
  },
} as const;

export type AdHocRunRequest = Wire<typeof AD_HOC_RUN_REQUEST>;
export type AdHocRetriesRequest = Wire<typeof AD_HOC_RETRIES_REQUEST>;
