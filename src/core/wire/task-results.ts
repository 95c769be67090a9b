/**
 * What the author's loop reads back of a past attempt: a retry from the failure (the flow's
 * process asks which results it may reuse), a replay and a snapshot (which read every task run
 * of an attempt with its result).
 */
import { TIME_OR_NULL, type Wire, type WireQuery } from "./schema.ts";

/** POST /api/runs/:id/retry: afresh (default), or from the failed task on; on which version. */
export const RETRY_REQUEST = {
  title: "RetryRequest",
  type: "object",
  additionalProperties: false,
  properties: {
    from_failed: {
      type: "boolean",
      description:
        "Tasks that completed with the same inputs and code in the attempt before return their kept results instead of running; the first failed task and what follows run again",
    },
    own_version: {
      type: "boolean",
      description:
        "Run the run's own version again (default: its deployment's active version, the code as fixed since)",
    },
  },
} as const;

/** A task run of a past attempt, with its kept value when it has one. */
export const TASK_RESULT = {
  title: "TaskResult",
  type: "object",
  additionalProperties: false,
  required: ["name", "state", "state_name", "inputs_hash", "started_at", "ended_at"],
  properties: {
    name: { type: "string" },
    state: { type: "string" },
    state_name: { type: ["string", "null"] },
    message: { type: "string", description: "Why it failed" },
    inputs_hash: {
      type: ["string", "null"],
      description: "The hash of its inputs (null: they were not JSON, or not recorded)",
    },
    source_hash: {
      type: ["string", "null"],
      description: "The hash of its task's source (null: not recorded)",
    },
    started_at: TIME_OR_NULL,
    ended_at: TIME_OR_NULL,
    value: { description: "Its return value (absent: none kept)" },
    problem: { type: "string", description: "Why no value can be given" },
  },
} as const;

/** GET /api/runs/:id/task-results: the task runs of one attempt. */
export const TASK_RESULTS = {
  title: "TaskResults",
  type: "object",
  additionalProperties: false,
  required: ["run_id", "attempt", "tasks"],
  properties: {
    run_id: { type: "string" },
    attempt: {
      type: ["integer", "null"],
      description: "The attempt they belong to (null: none to give)",
    },
    tasks: { type: "array", items: TASK_RESULT },
    reason: {
      type: "string",
      enum: ["resume", "retry"],
      description:
        "With reuse_for: why the attempt may reuse (it follows a resume, or a retry from the failure)",
    },
  },
} as const;

/** GET /api/runs/:id/task-results: which attempt, and whether only what a retry may reuse. */
export const TASK_RESULTS_QUERY = {
  attempt: {
    type: "integer",
    minimum: 1,
    description: "The attempt (default: the latest that recorded task runs)",
  },
  reuse_for: {
    type: "integer",
    minimum: 1,
    description:
      "The attempt starting now: the results it may reuse (those of the attempt before it, when it follows a resume or the run was retried from the failure; else none)",
  },
} as const;

export type RetryRequest = Wire<typeof RETRY_REQUEST>;
export type TaskResultJson = Wire<typeof TASK_RESULT>;
export type TaskResultsJson = Wire<typeof TASK_RESULTS>;
export type TaskResultsQuery = WireQuery<typeof TASK_RESULTS_QUERY>;

/**
 * What `orch runs replay` hands the flow's process (a file named by ORCH_REPLAY): the results
 * recorded for the tasks before the one replayed from, in the order they ran.
 */
export interface ReplayFile {
  /** The run replayed. */
  run_id: string;
  /** The task replayed from: once it is called, every task runs (null: none). */
  from: string | null;
  /**
   * Which call of `from` is the one replayed from (1: its first; 3: its third, when two calls
   * of it completed before, as the items of a map before the one that failed): the calls
   * before it return their recorded results.
   */
  from_call?: number;
  /** Pause in the debugger just before `from` runs (a replay with --inspect). */
  pause: boolean;
  tasks: { name: string; value: unknown }[];
}
