/**
 * Ad-hoc runs (no deployment), held by the worker that runs them (`orch flow run`, replays): made,
 * given their retries as their flow declares them, and given the values their files name.
 */

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

/** Names of secrets or variables, as a worker found them in a flow's files. */
const NAMES = {
  type: "array",
  maxItems: 1000,
  items: { type: "string", minLength: 1, maxLength: 200 },
} as const;

/** The names of the secrets and variables an ad-hoc run's flow files use (found by its worker). */
export const RUN_VALUES_REQUEST = {
  title: "RunValuesRequest",
  type: "object",
  additionalProperties: false,
  properties: {
    secrets: { ...NAMES, description: 'Secrets named in its files: getSecret("x")' },
    variables: { ...NAMES, description: 'Variables named in its files: getVariable("x")' },
  },
} as const;

/** The values of the secrets and variables asked for that exist (a missing one is left out). */
export const RUN_VALUES = {
  title: "RunValues",
  type: "object",
  additionalProperties: false,
  required: ["secrets", "variables"],
  properties: {
    secrets: { type: "object", additionalProperties: { type: "string" } },
    variables: { type: "object", additionalProperties: { type: "string" } },
  },
} as const;

export type RunValuesRequest = Wire<typeof RUN_VALUES_REQUEST>;
export type RunValuesJson = Wire<typeof RUN_VALUES>;
export type AdHocRunRequest = Wire<typeof AD_HOC_RUN_REQUEST>;
export type AdHocRetriesRequest = Wire<typeof AD_HOC_RETRIES_REQUEST>;
