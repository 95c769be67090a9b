/** Runs made and removed through the API: a deployment's run triggered, old runs pruned. */

import { TAGS } from "./runs.ts";
import { OBJECT, type Wire } from "./schema.ts";

/** POST /api/deployments/:name/runs: a run of a deployment, its parameters over the defaults. */
export const TRIGGER_RUN_REQUEST = {
  title: "TriggerRunRequest",
  type: "object",
  additionalProperties: false,
  properties: {
    parameters: OBJECT,
    tags: TAGS,
    scheduled_at: { type: "string", description: "An ISO time; default now" },
    idempotency_key: { type: "string", minLength: 1, maxLength: 200 },
    name: {
      type: "string",
      minLength: 1,
      maxLength: 200,
      pattern: "^[^\\u0000-\\u001f\\u007f]*$",
      description:
        "The run's name, without control characters (default: the deployment's run_name template, filled in)",
    },
    version: {
      type: "integer",
      minimum: 1,
      description: "Run this version of the deployment (default: the active one)",
    },
    timeout_ms: {
      type: "integer",
      minimum: 1,
      description: "This run's timeout, over the deployment's",
    },
    env: {
      type: "object",
      maxProperties: 200,
      propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$", maxLength: 200 },
      additionalProperties: { type: "string", maxLength: 65_536 },
      description: "Environment variables of this run, over the deployment's env",
    },
  },
} as const;

/** POST /api/runs/prune: what to delete. */
export const PRUNE_REQUEST = {
  title: "PruneRequest",
  type: "object",
  additionalProperties: false,
  required: ["older_than"],
  properties: {
    older_than: { type: "string", description: 'A duration: "30d", "12h"' },
    dry_run: { type: "boolean", description: "Only count what would go" },
  },
} as const;

/** What a prune removed (or, dry, would remove). */
export const PRUNE_RESULT = {
  title: "PruneResult",
  type: "object",
  additionalProperties: false,
  required: ["runs", "log_lines", "events"],
  properties: {
    runs: { type: "integer", minimum: 0 },
    log_lines: { type: "integer", minimum: 0 },
    events: { type: "integer", minimum: 0 },
  },
} as const;

export type TriggerRunRequest = Wire<typeof TRIGGER_RUN_REQUEST>;
export type PruneRequest = Wire<typeof PRUNE_REQUEST>;
export type PruneResult = Wire<typeof PRUNE_RESULT>;
