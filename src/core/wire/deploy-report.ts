/** What a deploy did (orch deploy, POST /api/deploy, the watcher): deployments and files. */
import { PROBLEM, STRINGS, type Wire } from "./schema.ts";

/** What a deploy did: deployments created, updated, removed, unchanged, and invalid files. */
export const DEPLOY_REPORT = {
  title: "DeployReport",
  type: "object",
  additionalProperties: false,
  required: [
    "created",
    "updated",
    "removed",
    "unchanged",
    "invalid",
    "valid_again",
    "rollbacks_ended",
    "warnings",
  ],
  properties: {
    created: STRINGS,
    updated: STRINGS,
    removed: STRINGS,
    unchanged: STRINGS,
    invalid: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["file", "problems"],
        properties: { file: { type: "string" }, problems: { type: "array", items: PROBLEM } },
      },
    },
    valid_again: {
      type: "array",
      description: "Files that were invalid and are deployed again, with their deployments",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["file", "deployments"],
        properties: { file: { type: "string" }, deployments: STRINGS },
      },
    },
    rollbacks_ended: {
      type: "array",
      description:
        "Deployments that ran an older version by a rollback until this deploy changed their files, making a new version active",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "was", "version"],
        properties: {
          name: { type: "string" },
          was: { type: "integer", minimum: 1, description: "The version rolled back to" },
          version: { type: "integer", minimum: 1, description: "The new version, active now" },
        },
      },
    },
    warnings: {
      type: "array",
      items: PROBLEM,
      description:
        "Files named like definitions that orch did not read (special files, links out), and why",
    },
    notes: {
      type: "array",
      items: PROBLEM,
      description:
        "What deploys but may be a mistake: a trigger matching a deployment no definition has (yet), with a guess",
    },
  },
} as const;

export type DeployReport = Wire<typeof DEPLOY_REPORT>;
