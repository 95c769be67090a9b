/** Runs listed and counted through the API (GET /api/runs, GET /api/runs/counts). */
import { STATE_TYPE, type Wire, type WireQuery } from "./schema.ts";

/** GET /api/runs: which runs, and which page of them. */
export const LIST_RUNS_QUERY = {
  deployment: { type: "string", description: "Only this deployment's runs" },
  state: {
    type: "string",
    description:
      "Only runs of this state type (COMPLETED, FAILED, …: all its names) or state name (Late, AwaitingRetry, TimedOut, …)",
  },
  tag: { type: "string", description: "Only runs with this tag" },
  limit: { type: "integer", minimum: 1, maximum: 1000, default: 50 },
  cursor: { type: "string", description: "x-next-cursor of the previous page" },
  since: {
    type: "string",
    description:
      "Only runs for this ISO time or after: their slot_at (the schedule's or backfill's time)",
  },
  until: {
    type: "string",
    description: "Only runs for a time before this ISO time (their slot_at)",
  },
  planned: {
    type: "boolean",
    default: false,
    description:
      "Include runs schedules planned for the future (false: only what happened or is due)",
  },
  q: {
    type: "string",
    minLength: 1,
    maxLength: 200,
    description:
      "Only runs whose id starts with this text, or whose name, deployment, flow or state message holds it (case-insensitive)",
  },
  order: {
    type: "string",
    enum: ["newest", "soonest"],
    default: "newest",
    description:
      "newest: latest first; soonest: earliest first (with planned=true&state=SCHEDULED&since=NOW, the next planned runs)",
  },
} as const;

/** GET /api/runs/counts: the filters of GET /api/runs, without the state and the paging. */
export const COUNT_RUNS_QUERY = (({ state: _s, limit: _l, cursor: _c, order: _o, ...rest }) =>
  rest)(LIST_RUNS_QUERY);

/** How many runs match a filter, in all and by state type. */
export const RUN_COUNTS = {
  title: "RunCounts",
  type: "object",
  additionalProperties: false,
  required: ["total", "states"],
  properties: {
    total: { type: "integer", minimum: 0 },
    states: {
      type: "object",
      propertyNames: STATE_TYPE,
      additionalProperties: { type: "integer", minimum: 1 },
      description: "Runs by state type; a type with none is left out",
    },
  },
} as const;

export type ListRunsQuery = WireQuery<typeof LIST_RUNS_QUERY>;
export type CountRunsQuery = WireQuery<typeof COUNT_RUNS_QUERY>;
export type RunCounts = Wire<typeof RUN_COUNTS>;
