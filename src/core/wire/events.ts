import { OBJECT, TIME, type Wire, type WireQuery } from "./schema.ts";

/** An event as the API shows it. */
export const EVENT = {
  title: "Event",
  type: "object",
  additionalProperties: false,
  required: ["id", "name", "resource", "payload", "at"],
  properties: {
    id: { type: "integer", minimum: 1 },
    name: { type: "string" },
    resource: { type: ["string", "null"] },
    payload: OBJECT,
    at: TIME,
  },
} as const;

/**
 * POST /hooks/:slug's answer (202): the event it recorded, its id again as `event_id`, and, when
 * the server's triggers took the event at once, the runs they started for it.
 */
export const WEBHOOK_RECEIVED = {
  title: "WebhookReceived",
  type: "object",
  additionalProperties: false,
  required: [...EVENT.required, "event_id"],
  properties: {
    ...EVENT.properties,
    event_id: { type: "integer", minimum: 1, description: "The event's id (as id)" },
    runs: {
      type: "array",
      description:
        "The runs the webhook's triggers started (missing when the triggers take the event later: the server is still starting)",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["id", "deployment"],
        properties: { id: { type: "string" }, deployment: { type: "string" } },
      },
    },
  },
} as const;

/** GET /api/events: recent events, by name prefix. */
export const LIST_EVENTS_QUERY = {
  prefix: { type: "string", description: "Only events whose name starts with this" },
  name: {
    type: "string",
    maxLength: 200,
    description: 'Only events whose name matches: "webhook.deploy", "flow-run.*"',
  },
  since: { ...TIME, description: "Only events recorded at or after this time" },
  limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
} as const;

/** GET /api/events/stream: which events, and from where to replay. */
export const STREAM_EVENTS_QUERY = {
  prefix: { type: "string", description: "Comma-separated name prefixes: flow-run.,deployment." },
  after: { type: "integer", minimum: 0, description: "Replay the events after this id first" },
} as const;

/**
 * Name prefixes only orch emits: a client cannot fake a run's completion, a task's failure, a
 * deployment's change, a webhook's arrival, a pool's change (which wakes workers) or a file's
 * arrival (which starts the deployments watching for it).
 */
export const RESERVED_EVENT_PREFIXES = [
  "flow-run.",
  "task-run.",
  "deployment.",
  "webhook.",
  "work-pool.",
  "worker.",
  "notice.",
  "trigger.",
  "project.",
  "file.",
] as const;

const reservedAlternatives = RESERVED_EVENT_PREFIXES.map((p) => p.replaceAll(".", "\\.")).join("|");

/** POST /api/events: an event a client emits (orch's own names are refused). */
export const EMIT_EVENT_REQUEST = {
  title: "EmitEventRequest",
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name: {
      type: "string",
      maxLength: 200,
      // orch's own events are its own to emit: a client cannot fake a run's completion.
      pattern: `^(?!${reservedAlternatives})[A-Za-z0-9][A-Za-z0-9._:-]*$`,
      "x-message": `must start with a letter or digit, hold only letters, digits, ".", "_", ":" and "-", and not start with ${RESERVED_EVENT_PREFIXES.join(", ")} (orch emits those)`,
    },
    resource: { type: "string", maxLength: 1000 },
    payload: OBJECT,
  },
} as const;

/** A stream's `reset` message: more was missed than it replays, so load the state again. */
export const STREAM_RESET = {
  title: "StreamReset",
  type: "object",
  additionalProperties: false,
  required: ["message"],
  properties: { message: { type: "string" } },
} as const;

/** The messages of GET /api/events/stream, by SSE event name. */
export const EVENT_STREAM = { event: EVENT, reset: STREAM_RESET } as const;

export type EventJson = Wire<typeof EVENT>;
export type WebhookReceived = Wire<typeof WEBHOOK_RECEIVED>;
/** A run a trigger started, as a webhook's answer names it. */
export type StartedRun = NonNullable<WebhookReceived["runs"]>[number];
export type ListEventsQuery = WireQuery<typeof LIST_EVENTS_QUERY>;
export type StreamEventsQuery = WireQuery<typeof STREAM_EVENTS_QUERY>;
export type StreamReset = Wire<typeof STREAM_RESET>;

/** A message of GET /api/events/stream. */
export type EventStreamMessage =
  | { event: "event"; id?: string; data: EventJson }
  | { event: "reset"; id?: string; data: StreamReset };
export type EmitEventRequest = Wire<typeof EMIT_EVENT_REQUEST>;
