/** A flow's report of its task runs (POST /api/runs/:id/tasks), as its SDK sends it. */

import { TAGS } from "./runs.ts";
import { TIME_OR_NULL, type Wire } from "./schema.ts";

/** POST /api/runs/:id/tasks: a flow reports its task runs' latest states. */
export const TASK_REPORT = {
  title: "TaskReport",
  type: "object",
  additionalProperties: false,
  required: ["tasks"],
  properties: {
    tasks: {
      type: "array",
      maxItems: 10_000,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["id", "name", "state", "attempts", "started_at", "ended_at"],
        properties: {
          id: { type: "string", minLength: 1, maxLength: 100 },
          name: { type: "string", minLength: 1, maxLength: 500 },
          state: { type: "string", enum: ["SCHEDULED", "RUNNING", "COMPLETED", "FAILED"] },
          state_name: { type: "string", maxLength: 100 },
          message: { type: "string", maxLength: 10_000 },
          tags: TAGS,
          attempts: { type: "integer", minimum: 0 },
          started_at: TIME_OR_NULL,
          ended_at: TIME_OR_NULL,
          cached: { type: "boolean", description: "Its value came from the cache" },
          result: { description: "Its return value, once it completed (any JSON)" },
          result_problem: {
            type: "string",
            maxLength: 2000,
            description: "Why its return value was not kept",
          },
          run_attempt: {
            type: "integer",
            minimum: 1,
            description: "The attempt of the flow run it belongs to",
          },
          inputs_hash: {
            type: "string",
            maxLength: 128,
            description: "A hash of its inputs: a retry from the failure reuses a result by it",
          },
          source_hash: {
            type: "string",
            maxLength: 128,
            description: "A hash of its task's source: a result is reused only for the same code",
          },
        },
      },
    },
  },
} as const;

/** The answer to a task report: how many task runs were stored. */
export const TASKS_STORED = {
  title: "TasksStored",
  type: "object",
  additionalProperties: false,
  required: ["stored"],
  properties: { stored: { type: "integer", minimum: 0 } },
} as const;

export type TaskReport = Wire<typeof TASK_REPORT>;
/** One task run's state in a report, as the SDK sends it. */
export type TaskRunReport = TaskReport["tasks"][number];
export type TasksStored = Wire<typeof TASKS_STORED>;
