import { TIME, TIME_OR_NULL, type Wire } from "./schema.ts";

/** Where a backfill is: feeding runs, paused, done, or stopped by a user. */
export const BACKFILL_STATUSES = ["running", "paused", "completed", "cancelled"] as const;
export type BackfillStatus = (typeof BACKFILL_STATUSES)[number];

/** The most slots one backfill may cover. */
export const MAX_BACKFILL_SLOTS = 100_000;

/** POST /api/backfills and POST /api/backfills/plan: what to backfill. */
export const CREATE_BACKFILL_REQUEST = {
  title: "CreateBackfillRequest",
  type: "object",
  additionalProperties: false,
  required: ["deployment", "from", "to"],
  properties: {
    deployment: { type: "string", minLength: 1, maxLength: 200 },
    from: {
      type: "string",
      minLength: 1,
      maxLength: 100,
      description: "An ISO time: the first slot may be this",
    },
    to: {
      type: "string",
      minLength: 1,
      maxLength: 100,
      description: "An ISO time: the last slot may be this",
    },
    schedule: {
      type: "integer",
      minimum: 1,
      description:
        "Which of the deployment's schedules (1 for the first); needed when it has several",
    },
    only_missing: { type: "boolean", description: "Skip slots that already have a COMPLETED run" },
    max_concurrency: { type: "integer", minimum: 1, maximum: 1000, description: "Default 1" },
    reverse: { type: "boolean", description: "Newest slot first" },
  },
} as const;

/** How a backfill's runs ended so far, and how many are still going. */
export const BACKFILL_RUN_COUNTS = {
  title: "BackfillRunCounts",
  type: "object",
  additionalProperties: false,
  required: ["active", "completed", "failed", "crashed", "cancelled"],
  properties: {
    active: { type: "integer", minimum: 0 },
    completed: { type: "integer", minimum: 0 },
    failed: { type: "integer", minimum: 0 },
    crashed: { type: "integer", minimum: 0 },
    cancelled: { type: "integer", minimum: 0 },
  },
} as const;

/** A backfill as the API and `--json` show it. */
export const BACKFILL = {
  title: "Backfill",
  type: "object",
  additionalProperties: false,
  required: [
    "id",
    "deployment",
    "schedule",
    "schedule_index",
    "from",
    "to",
    "reverse",
    "only_missing",
    "max_concurrency",
    "status",
    "message",
    "total",
    "created",
    "skipped",
    "next_slot",
    "runs",
    "created_at",
    "ended_at",
  ],
  properties: {
    id: { type: "string" },
    deployment: { type: "string" },
    schedule: { type: "string", description: "The schedule whose slots it walks, in words" },
    schedule_index: { type: "integer", minimum: 1 },
    from: TIME,
    to: TIME,
    reverse: { type: "boolean" },
    only_missing: { type: "boolean" },
    max_concurrency: { type: "integer", minimum: 1 },
    status: { type: "string", enum: BACKFILL_STATUSES },
    message: { type: "string", description: "Why it is in its status, when there is a reason" },
    total: { type: "integer", minimum: 0, description: "Slots in the range" },
    created: { type: "integer", minimum: 0, description: "Runs made so far" },
    skipped: { type: "integer", minimum: 0, description: "Slots skipped (--only-missing)" },
    next_slot: { ...TIME_OR_NULL, description: "The next slot it will handle" },
    runs: BACKFILL_RUN_COUNTS,
    created_at: TIME,
    ended_at: TIME_OR_NULL,
  },
} as const;

/** What a backfill would do (--dry-run): its slots, oldest first unless reversed. */
export const BACKFILL_PLAN = {
  title: "BackfillPlan",
  type: "object",
  additionalProperties: false,
  required: ["deployment", "schedule", "total", "slots"],
  properties: {
    deployment: { type: "string" },
    schedule: { type: "string", description: "The schedule whose slots these are, in words" },
    total: { type: "integer", minimum: 0 },
    slots: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["at", "completed"],
        properties: {
          at: TIME,
          completed: { type: "boolean", description: "A COMPLETED run for this slot exists" },
        },
      },
    },
  },
} as const;

export type CreateBackfillRequest = Wire<typeof CREATE_BACKFILL_REQUEST>;
export type BackfillJson = Wire<typeof BACKFILL>;
export type BackfillPlanJson = Wire<typeof BACKFILL_PLAN>;
export type BackfillRunCounts = Wire<typeof BACKFILL_RUN_COUNTS>;
