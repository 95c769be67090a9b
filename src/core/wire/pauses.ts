import { OBJECT, STRINGS, TIME_OR_NULL, type Wire } from "./schema.ts";

// The wire shapes of what runs inside a flow's process asks of orch: a subflow's run and its
// states, and a pause. Shapes a user sends (a resume's input) are here too.

/** What a paused run waits for, as `runs inspect` shows it. */
export const PAUSE_INFO = {
  title: "PauseInfo",
  type: "object",
  additionalProperties: false,
  required: ["key", "timeout_at", "input_schema"],
  properties: {
    key: { type: "string", description: "Which pause of the flow (pause-1 is its first)" },
    timeout_at: { ...TIME_OR_NULL, description: "When it fails unless resumed (null: never)" },
    input_schema: {
      anyOf: [{ type: "null" }, OBJECT],
      description: "The JSON Schema the resume's input must match (null: no input)",
    },
  },
} as const;

/** POST /api/runs/:id/pause: a flow's `pause()` asks for its run to wait. */
export const PAUSE_REQUEST = {
  title: "PauseRequest",
  type: "object",
  additionalProperties: false,
  required: ["key"],
  properties: {
    key: { type: "string", minLength: 1, maxLength: 200 },
    timeout_ms: { type: "integer", minimum: 1, description: "Fail the run unless resumed by then" },
    input_schema: { ...OBJECT, description: "A JSON Schema for the resume's input" },
  },
} as const;

/**
 * The answer to a pause: `resumed` with the input when this pause was resumed already (the run
 * starts again from the top after a resume), else `paused` (the flow's process ends now).
 */
export const PAUSE_ANSWER = {
  title: "PauseAnswer",
  type: "object",
  additionalProperties: false,
  required: ["resumed"],
  properties: { resumed: { type: "boolean" }, input: OBJECT },
} as const;

/** POST /api/runs/:id/resume: the input a paused run gets back from `pause()`. */
export const RESUME_REQUEST = {
  title: "ResumeRequest",
  type: "object",
  additionalProperties: false,
  properties: { input: { ...OBJECT, description: "Checked against the pause's input schema" } },
} as const;

/** POST /api/runs/:id/subflows: a flow called a flow; its run is made, RUNNING already. */
export const SUBFLOW_REQUEST = {
  title: "SubflowRequest",
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name: { type: "string", minLength: 1, maxLength: 200 },
    parameters: OBJECT,
    tags: STRINGS,
  },
} as const;

/** POST /api/runs/:parent/subflows/:id/state: how a subflow's run ended (or retries). */
export const SUBFLOW_STATE = {
  title: "SubflowState",
  type: "object",
  additionalProperties: false,
  required: ["state"],
  properties: {
    state: { type: "string", enum: ["RUNNING", "COMPLETED", "FAILED"] },
    name: { type: "string", enum: ["Running", "Retrying", "Completed", "Failed", "TimedOut"] },
    message: { type: "string", maxLength: 10_000 },
  },
} as const;

export type PauseInfo = Wire<typeof PAUSE_INFO>;
export type PauseRequest = Wire<typeof PAUSE_REQUEST>;
export type PauseAnswer = Wire<typeof PAUSE_ANSWER>;
export type ResumeRequest = Wire<typeof RESUME_REQUEST>;
export type SubflowRequest = Wire<typeof SUBFLOW_REQUEST>;
export type SubflowState = Wire<typeof SUBFLOW_STATE>;
