import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { ERROR_CODES } from "../errors.ts";
import { LOG_LEVELS } from "../log-record.ts";
import { STATE_NAMES, STATE_TYPES, type StateName } from "../states.ts";

/**
 * The TypeScript type of a wire schema. Type-only: the schema is the one declaration of a shape,
 * and nothing of the mapper reaches the binary.
 */
export type Wire<S extends JSONSchema> = FromSchema<S>;

/**
 * The type of a route's query parameters, declared as a map of name to scalar schema. Defaults
 * are the server's to fill in: a client may leave those parameters out.
 */
export type WireQuery<Q extends Readonly<Record<string, JSONSchema>>> = FromSchema<
  { type: "object"; additionalProperties: false; properties: Q },
  { keepDefaultedPropertiesOptional: true }
>;

/** An ISO 8601 time (`2026-11-30T01:02:03.000Z`). */
export const TIME = { type: "string", format: "date-time" } as const;

/** An ISO 8601 time, or null when it has not happened. */
export const TIME_OR_NULL = { type: ["string", "null"], format: "date-time" } as const;

/** Free-form parameters (a JSON object). */
export const OBJECT = { type: "object" } as const;

/** A list of strings. */
export const STRINGS = { type: "array", items: { type: "string" } } as const;

/** A run's state type. */
export const STATE_TYPE = { type: "string", enum: STATE_TYPES } as const;

/** A run's state name (each belongs to one type). */
export const STATE_NAME = {
  type: "string",
  enum: Object.keys(STATE_NAMES) as StateName[],
} as const;

/** Where a log line came from: the run's stdout or stderr, or orch itself (e.g. the cap marker). */
export const LOG_STREAMS = ["stdout", "stderr", "orch"] as const;
export type LogStream = (typeof LOG_STREAMS)[number];

/** A log line's level: a flow logger's, the one a line says (`WARNING:…`), else info (orch's notes: warn). */
export const LOG_LEVEL = { type: "string", enum: LOG_LEVELS } as const;

/** A log line's structured fields (a flow logger's), by name. */
export const LOG_FIELDS = { type: "object", maxProperties: 100 } as const;

/** One problem of a refused input, with where it is when known. */
export const PROBLEM = {
  title: "Problem",
  type: "object",
  additionalProperties: false,
  required: ["message"],
  properties: { where: { type: "string" }, message: { type: "string" } },
} as const;

/** Every 4xx/5xx answer: `{"error": {"code", "message", "problems"}}`. */
export const ERROR = {
  title: "Error",
  type: "object",
  additionalProperties: false,
  required: ["error"],
  properties: {
    error: {
      type: "object",
      additionalProperties: false,
      required: ["code", "message"],
      properties: {
        code: { type: "string", enum: Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[] },
        message: { type: "string" },
        problems: { type: "array", items: PROBLEM },
      },
    },
  },
} as const;
export type ErrorJson = Wire<typeof ERROR>;

/** A request with no body (`{}`). */
export const EMPTY = { type: "object", additionalProperties: false, properties: {} } as const;
