import { TIME, type Wire, type WireQuery } from "./schema.ts";

/** GET /api/deployments/:name/wake-times: how many times to list. */
export const WAKE_TIMES_QUERY = {
  count: { type: "integer", minimum: 1, maximum: 500, default: 20 },
} as const;

/** The next times of a deployment's schedules with `wake: true`: when to wake the machine. */
export const WAKE_TIMES = {
  title: "WakeTimes",
  type: "object",
  additionalProperties: false,
  required: ["deployment", "times"],
  properties: {
    deployment: { type: "string" },
    times: { type: "array", items: TIME, description: "Soonest first (ISO, UTC)" },
  },
} as const;

export type WakeTimesJson = Wire<typeof WAKE_TIMES>;
export type WakeTimesQuery = WireQuery<typeof WAKE_TIMES_QUERY>;
