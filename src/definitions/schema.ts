/**
 * The definition format (flows/**\/*.yaml) as JSON Schema: `orch schema` prints it for editors,
 * and validation checks every file against it before the checks a schema cannot express (cron,
 * time zones, durations, paths, parameters against their schema).
 */
import { deployment } from "./schema-deployment.ts";
import { workPool } from "./schema-pools.ts";
import { retention } from "./schema-values.ts";
import { webhook } from "./schema-webhooks.ts";

/** The JSON Schema of a definition file. */
export const DEFINITION_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://orch.dev/schema/definitions.json",
  title: "orch deployment definitions",
  type: "object",
  additionalProperties: false,
  properties: {
    deployments: { type: "array", items: deployment },
    retention: retention(true),
    work_pools: {
      type: "array",
      description: "Work pools: how their runs execute, concurrency limits, queue priorities",
      items: workPool,
    },
    webhooks: {
      type: "array",
      description: "Webhooks with the check that lets their senders in (POST /hooks/<slug>)",
      items: webhook,
    },
  },
} as const;
