import { OBJECT, STRINGS, TIME_OR_NULL, type Wire } from "./schema.ts";

/** A match value: a pattern (`*` wildcards, a leading `!` negates), or a list of them. */
const MATCH = {
  type: "object",
  description:
    'Fields the event must have, by key (deployment, resource, name, or a payload key): "etl-*", "!Cancelled", or a list of patterns',
  additionalProperties: { anyOf: [{ type: "string" }, STRINGS] },
} as const;

/** One event a trigger waits for: its name (a trailing or inner `*` is a wildcard) and fields. */
export const EVENT_REF = {
  title: "EventRef",
  type: "object",
  additionalProperties: false,
  required: ["on", "match"],
  properties: { on: { type: "string" }, match: MATCH },
} as const;

/** The kinds of action a trigger takes when it fires. */
export const ACTION_TYPES = [
  "run",
  "pause",
  "resume",
  "cancel",
  "webhook",
  "shell",
  "notify",
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/**
 * What a trigger does when it fires. `run` runs its deployment (the default action);
 * `pause`/`resume` name a deployment (its own when left out); `cancel` names a run (the event's
 * when left out); `webhook` posts JSON (`body`, or Slack- and Discord-compatible
 * `{text, content}`); `shell` runs a command (argv, or a string for sh -c); `notify` shows a
 * desktop notification. Text fields take `{{ event.x }}`, `{{ trigger.x }}`, `{{ message }}`.
 */
export const ACTION_SPEC = {
  title: "TriggerAction",
  type: "object",
  additionalProperties: false,
  required: ["type"],
  properties: {
    type: { type: "string", enum: ACTION_TYPES },
    deployment: { type: "string" },
    run: { type: "string" },
    url: { type: "string" },
    body: {},
    headers: { type: "object", additionalProperties: { type: "string" } },
    command: { anyOf: [{ type: "string" }, STRINGS] },
    title: { type: "string" },
    message: { type: "string" },
  },
} as const;

/**
 * A trigger: when its events match, it fires its actions (by default, a run of the deployment
 * with `parameters`). Reactive (the default) fires on `on` (with `threshold` events `within` a
 * window, counted per `for_each` value; only after the `after` events, when given); proactive
 * fires when `on` did not come `threshold` times `within` the window (after `after`, or rolling).
 * Without `on`, a join: it fires once every `after` event came (any order, `within` the window).
 */
export const TRIGGER_SPEC = {
  title: "Trigger",
  type: "object",
  additionalProperties: false,
  required: ["match", "parameters"],
  properties: {
    name: { type: "string" },
    on: {
      type: "string",
      description: "The event it counts; left out, it fires once all its after events came",
    },
    match: MATCH,
    parameters: OBJECT,
    posture: { type: "string", enum: ["reactive", "proactive"] },
    after: {
      type: "object",
      additionalProperties: false,
      required: ["events", "mode"],
      properties: {
        events: { type: "array", items: EVENT_REF },
        mode: { type: "string", enum: ["all", "any"] },
      },
    },
    threshold: { type: "integer", minimum: 1 },
    within_ms: { type: "integer", minimum: 1 },
    for_each: STRINGS,
    rate_limit: {
      type: "object",
      additionalProperties: false,
      required: ["limit", "per_ms"],
      properties: {
        limit: { type: "integer", minimum: 1 },
        per_ms: { type: "integer", minimum: 1 },
      },
    },
    actions: { type: "array", items: ACTION_SPEC },
    files: {
      type: "object",
      description: "A watched folder: each file matching glob that stops growing is an event",
      additionalProperties: false,
      required: ["folder", "glob", "settle_ms", "watch"],
      properties: {
        folder: { type: "string", description: "The absolute folder watched" },
        glob: { type: "string" },
        settle_ms: { type: "integer", minimum: 0 },
        move_to: {
          type: "string",
          description: "The absolute folder a file goes to once its run completed",
        },
        watch: { type: "string", description: "The watch's id: file.arrived events carry it" },
      },
    },
  },
} as const;

/** A trigger as `orch triggers ls` shows it: what it is and where its window stands. */
export const TRIGGER_STATE = {
  title: "TriggerState",
  type: "object",
  additionalProperties: false,
  required: [
    "deployment",
    "name",
    "kind",
    "on",
    "match",
    "files",
    "active",
    "counts",
    "deadline",
    "deadlines",
    "last_fired",
    "fired",
    "failed",
    "last_failure",
    "suppressed",
    "within_ms",
    "threshold",
    "rate_limit",
    "actions",
  ],
  properties: {
    deployment: { type: "string" },
    name: { type: "string", description: "Its name, or triggers[N] (its place in the list)" },
    kind: { type: "string", enum: ["reactive", "threshold", "sequence", "proactive"] },
    on: { type: "string" },
    match: MATCH,
    files: {
      type: ["object", "null"],
      description: "A files: trigger's watched folder (absolute) and glob",
      additionalProperties: false,
      required: ["folder", "glob"],
      properties: { folder: { type: "string" }, glob: { type: "string" } },
    },
    active: { type: "boolean", description: "false while its deployment is paused" },
    within_ms: { type: ["integer", "null"] },
    threshold: {
      type: "integer",
      description: "The events it takes to fire; a join's: how many after events it waits for",
    },
    counts: {
      type: "object",
      description:
        'Events counted in the window now, by for_each value ("" without for_each); a join\'s: its after events that came',
      additionalProperties: { type: "integer" },
    },
    deadline: { ...TIME_OR_NULL, description: "A proactive trigger's next deadline" },
    deadlines: { type: "integer", description: "A proactive trigger's open deadlines" },
    last_fired: TIME_OR_NULL,
    fired: {
      type: "integer",
      description: "How often it fired in the last 7 days, and its actions did what they do",
    },
    failed: {
      type: "integer",
      description: "How often it fired in the last 7 days and an action failed (no run made...)",
    },
    last_failure: {
      type: ["object", "null"],
      description: "Its last failed firing: when, and why",
      additionalProperties: false,
      required: ["at", "message"],
      properties: { at: { type: "string", format: "date-time" }, message: { type: "string" } },
    },
    suppressed: { type: "integer", description: "Firings its rate cap held back" },
    rate_limit: { type: ["string", "null"], description: 'Its cap: "5 per 1h"' },
    actions: STRINGS,
  },
} as const;

/** For a run a trigger started: which trigger, of which deployment, on which event. */
export const TRIGGERED_BY = {
  title: "TriggeredBy",
  type: "object",
  additionalProperties: false,
  required: ["deployment", "trigger", "event", "event_id"],
  properties: {
    deployment: { type: "string", description: "The deployment whose trigger it is" },
    trigger: { type: "string", description: "The trigger's name, or triggers[N]" },
    event: { type: "string", description: "The event that fired it" },
    event_id: { type: "integer" },
    webhook: { type: ["string", "null"], description: "The webhook's slug, for a webhook event" },
  },
} as const;

export type TriggeredBy = Wire<typeof TRIGGERED_BY>;
export type EventRef = Wire<typeof EVENT_REF>;
export type ActionSpec = Wire<typeof ACTION_SPEC>;
export type TriggerSpecJson = Wire<typeof TRIGGER_SPEC>;
export type TriggerStateJson = Wire<typeof TRIGGER_STATE>;
