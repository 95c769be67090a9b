import { TIME, type Wire } from "./schema.ts";

/** A definition file that is invalid now, with all its problems (`file:line:col: message`). */
export const FILE_PROBLEMS = {
  title: "FileProblems",
  type: "object",
  additionalProperties: false,
  required: ["file", "problems", "at"],
  properties: {
    file: { type: "string" },
    problems: { type: "array", items: { type: "string" } },
    at: TIME,
  },
} as const;

/** Something start-up found (a run that crashed while orch was down), until acknowledged. */
export const NOTICE = {
  title: "Notice",
  type: "object",
  additionalProperties: false,
  required: ["id", "kind", "resource", "message", "at"],
  properties: {
    id: { type: "integer" },
    kind: { type: "string", enum: ["crashed"] },
    resource: { type: ["string", "null"] },
    message: { type: "string" },
    at: TIME,
  },
} as const;

/** GET /api/problems: what a user should look at: invalid files, and unacknowledged notices. */
export const PROBLEMS = {
  title: "Problems",
  type: "object",
  additionalProperties: false,
  required: ["files", "notices"],
  properties: {
    files: { type: "array", items: FILE_PROBLEMS },
    notices: { type: "array", items: NOTICE },
  },
} as const;

/** POST /api/problems/acknowledge: the notices up to this id (all when omitted) are seen. */
export const ACKNOWLEDGE_REQUEST = {
  title: "AcknowledgeRequest",
  type: "object",
  additionalProperties: false,
  properties: { up_to: { type: "integer", minimum: 1 } },
} as const;

export type FileProblemsJson = Wire<typeof FILE_PROBLEMS>;
export type NoticeJson = Wire<typeof NOTICE>;
export type ProblemsJson = Wire<typeof PROBLEMS>;
export type AcknowledgeRequest = Wire<typeof ACKNOWLEDGE_REQUEST>;
