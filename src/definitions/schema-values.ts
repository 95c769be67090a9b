/** Value shapes the definition format's parts share: durations, retention, parameters. */
import { MAX_DURATION_MS } from "../core/index.ts";

/** A duration field: a string such as "15m" or a number of seconds. */
export const duration = {
  "x-kind": "duration",
  description:
    'A duration: "30s", "15m", "1h30m", "500ms", or a number of seconds; at most 100 years',
  anyOf: [
    {
      type: "string",
      pattern: "^(\\d+(\\.\\d+)?(ms|s|m|h|d|w))+$|^\\d+(\\.\\d+)?$",
      // orch's own check (ajv knows it; other validators skip a format they do not know).
      format: "orch-duration",
    },
    { type: "number", minimum: 0, maximum: MAX_DURATION_MS / 1000 },
  ],
};

const KEEP_HELP =
  'a duration ("90d": keep what ended within it) or a whole number (100: keep the newest so many)';
const keep = {
  "x-message": 'must be a duration such as "90d" or a whole number such as 100',
  anyOf: [
    { type: "string", pattern: "^(\\d+(\\.\\d+)?(ms|s|m|h|d|w))+$" },
    { type: "integer", minimum: 1 },
  ],
};

/** `retention:` of a deployment (runs and logs) or of the project (events too). */
export const retention = (project: boolean) => ({
  type: "object",
  additionalProperties: false,
  description: project
    ? "What orch keeps, for every deployment without its own retention: applied hourly"
    : "What orch keeps of this deployment's runs, over the project's retention",
  properties: {
    runs: { ...keep, description: `Finished runs, with their logs: ${KEEP_HELP}` },
    logs: {
      ...keep,
      description: `Log lines of finished runs (the runs stay): ${KEEP_HELP}`,
    },
    ...(project ? { events: { ...keep, description: `Events: ${KEEP_HELP}` } } : {}),
  },
});

/** Parameters given with a schedule, a trigger or a deployment. */
export const parameters = {
  type: "object",
  description: "Parameters, merged over the deployment's defaults",
};
