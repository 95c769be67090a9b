/**
 * What a run keeps besides its states and logs: results (a flow's and its tasks' return values),
 * the task cache shared by every run, and artifacts (markdown, tables and links a flow makes).
 */
import { TIME, TIME_OR_NULL, type Wire, type WireQuery } from "./schema.ts";

/** Any JSON value (a result, a cached value). */
const ANY = { description: "Any JSON value" } as const;

/** Where a stored value is: its size, and its file under .orch/results/ when not in the database. */
const STORED = {
  size: { type: "integer", minimum: 0, description: "Bytes of its JSON" },
  file: {
    type: ["string", "null"],
    description: "The file under the data dir that holds it (null: kept in the database)",
  },
} as const;

/** GET /api/runs/:id/result: a run's or one of its task runs' result. */
export const RESULT = {
  title: "Result",
  type: "object",
  additionalProperties: false,
  required: ["run_id", "task", "value", "size", "file"],
  properties: {
    run_id: { type: "string" },
    task: { type: ["string", "null"], description: "The task run's name (null: the flow's own)" },
    value: ANY,
    ...STORED,
  },
} as const;

/** A result as `inspect` shows it: the value only when it is small (kept in the database). */
export const RESULT_SUMMARY = {
  title: "ResultSummary",
  type: "object",
  additionalProperties: false,
  required: ["size", "file"],
  properties: {
    value: { description: "The value, when kept in the database (else read it by its route)" },
    problem: { type: "string", description: "Why no value was kept" },
    ...STORED,
  },
} as const;

/** GET /api/runs/:id/result: the flow's result, or a task run's (`load`, or `load#2` of several). */
export const RESULT_QUERY = {
  task: {
    type: "string",
    description: "A task run's name; NAME#N picks the Nth of several runs of one task",
  },
} as const;

/** POST /api/runs/:id/result: a flow's return value, or why it could not be kept. */
export const RESULT_REQUEST = {
  title: "ResultRequest",
  type: "object",
  additionalProperties: false,
  properties: {
    value: ANY,
    problem: { type: "string", minLength: 1, maxLength: 2000 },
  },
} as const;

/** A task's cached value, without the value (listings). */
export const CACHE_ENTRY = {
  title: "CacheEntry",
  type: "object",
  additionalProperties: false,
  required: ["task", "key", "size", "file", "run_id", "created_at", "expires_at"],
  properties: {
    task: { type: "string" },
    key: { type: "string" },
    ...STORED,
    run_id: { type: ["string", "null"], description: "The run whose task made it" },
    created_at: TIME,
    expires_at: { ...TIME_OR_NULL, description: "null: never" },
  },
} as const;

/** GET /api/cache/:task/:key: a hit, with its value. */
export const CACHE_HIT = {
  ...CACHE_ENTRY,
  title: "CacheHit",
  required: [...CACHE_ENTRY.required, "value"],
  properties: { ...CACHE_ENTRY.properties, value: ANY },
} as const;

/** PUT /api/cache/:task/:key: keep a task's value. */
export const CACHE_PUT = {
  title: "CachePut",
  type: "object",
  additionalProperties: false,
  required: ["value"],
  properties: {
    value: ANY,
    expires: {
      type: ["string", "number", "null"],
      description:
        'How long it stays valid: a duration ("1h", "7d"; a number is seconds); null: ever',
    },
    run_id: { type: "string", maxLength: 100 },
  },
} as const;

/** GET and DELETE /api/cache: which task's entries (default: all). */
export const CACHE_QUERY = {
  task: { type: "string", description: "Only this task's entries" },
} as const;

/** DELETE /api/cache: how many entries went. */
export const CACHE_CLEARED = {
  title: "CacheCleared",
  type: "object",
  additionalProperties: false,
  required: ["deleted"],
  properties: { deleted: { type: "integer", minimum: 0 } },
} as const;

/** The kinds of artifact. */
export const ARTIFACT_TYPES = ["markdown", "table", "link"] as const;

/** POST /api/runs/:id/artifacts: a flow attaches an artifact to its run (and task). */
export const ARTIFACT_REQUEST = {
  title: "ArtifactRequest",
  type: "object",
  additionalProperties: false,
  required: ["key", "type", "data"],
  properties: {
    key: { type: "string", minLength: 1, maxLength: 200 },
    type: { type: "string", enum: ARTIFACT_TYPES },
    data: {
      description:
        "markdown: text; link: a URL; table: a list of rows (objects by column, or arrays)",
    },
    description: { type: "string", maxLength: 2000 },
    task: { type: "string", minLength: 1, maxLength: 500, description: "The task it belongs to" },
  },
} as const;

/** An artifact as stored. */
export const ARTIFACT = {
  title: "Artifact",
  type: "object",
  additionalProperties: false,
  required: ["key", "type", "data", "description", "task", "created_at"],
  properties: {
    key: { type: "string" },
    type: { type: "string", enum: ARTIFACT_TYPES },
    data: ANY,
    description: { type: ["string", "null"] },
    task: { type: ["string", "null"] },
    created_at: TIME,
  },
} as const;

/** An artifact as a run's details list it: what it is, without its data. */
export const ARTIFACT_SUMMARY = {
  title: "ArtifactSummary",
  type: "object",
  additionalProperties: false,
  required: ["key", "type", "description", "task"],
  properties: {
    key: { type: "string" },
    type: { type: "string", enum: ARTIFACT_TYPES },
    description: { type: ["string", "null"] },
    task: { type: ["string", "null"] },
  },
} as const;

export type ArtifactSummary = Wire<typeof ARTIFACT_SUMMARY>;
export type ResultJson = Wire<typeof RESULT>;
export type ResultSummary = Wire<typeof RESULT_SUMMARY>;
export type ResultRequest = Wire<typeof RESULT_REQUEST>;
export type ResultQuery = WireQuery<typeof RESULT_QUERY>;
export type CacheEntryJson = Wire<typeof CACHE_ENTRY>;
export type CacheHit = Wire<typeof CACHE_HIT>;
export type CachePut = Wire<typeof CACHE_PUT>;
export type CacheCleared = Wire<typeof CACHE_CLEARED>;
export type ArtifactType = (typeof ARTIFACT_TYPES)[number];
export type ArtifactRequest = Wire<typeof ARTIFACT_REQUEST>;
export type ArtifactJson = Wire<typeof ARTIFACT>;
