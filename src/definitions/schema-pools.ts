/** A work pool in the definition format (`work_pools:`). */
import { NAME_MESSAGE, NAME_PATTERN } from "../core/index.ts";
import { JOB_FIELDS } from "./job-template.ts";

/** One entry of `work_pools:`: how its runs execute, its limits and queues. */
export const workPool = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name: { type: "string", pattern: NAME_PATTERN, "x-message": NAME_MESSAGE },
    type: {
      enum: ["process", "docker"],
      description: "How its runs execute: a process (default) or a Docker container",
    },
    job: {
      type: "object",
      additionalProperties: false,
      description: "The job template of a docker pool: image (required), pull, env, volumes...",
      properties: JOB_FIELDS,
    },
    concurrency: {
      type: "integer",
      minimum: 1,
      description: "Runs of this pool at once, on all its workers",
    },
    embedded_worker: {
      type: "boolean",
      description:
        "orch up runs this pool's jobs itself (default false: only `orch worker --pool NAME` does; the default pool is always served)",
    },
    queues: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name"],
        properties: {
          name: { type: "string", pattern: NAME_PATTERN, "x-message": NAME_MESSAGE },
          priority: { type: "integer", minimum: 1, description: "Lower runs first (default 1)" },
          concurrency: { type: "integer", minimum: 1, description: "Runs of this queue at once" },
        },
      },
    },
  },
};
