/**
 * The automations of a deployment in the definition format: its `triggers:` (events matched,
 * counted or awaited, and the actions they take) and `notify:`, the common case of telling
 * someone when its runs end badly.
 */
import { duration, parameters } from "./schema-values.ts";

const SCALAR = { type: ["string", "number", "boolean"] };

const match = {
  type: "object",
  description:
    'Fields the event must have: deployment, resource, name or payload keys (payload.x.y). "*" is a wildcard, a leading "!" negates, a list matches any of its patterns',
  additionalProperties: {
    "x-message": 'must be a value ("etl-*", "!Cancelled") or a list of values',
    anyOf: [SCALAR, { type: "array", items: SCALAR, minItems: 1 }],
  },
};

const eventName = {
  type: "string",
  minLength: 1,
  description:
    'An event name: "flow-run.completed", "webhook.deploy"; "*" is a wildcard ("flow-run.*")',
};

/** An event a trigger waits for: a name, or { on, match }. */
const eventRef = {
  "x-message": 'must be an event name ("flow-run.completed") or { on: NAME, match: { ... } }',
  anyOf: [
    eventName,
    {
      type: "object",
      additionalProperties: false,
      required: ["on"],
      properties: { on: eventName, match },
    },
  ],
};

const templated = (what: string) => ({
  type: "string",
  minLength: 1,
  description: `${what}; takes {{ event.name }}, {{ event.resource }}, {{ event.payload.KEY }}, {{ trigger.deployment }}, {{ trigger.name }}, {{ message }}`,
});

/** One action of a trigger: a bare name, or a mapping of one action to its settings. */
const action = {
  type: ["string", "object"],
  description:
    "run, pause, resume, cancel, notify, or one of { run | pause | resume: DEPLOYMENT }, { cancel: RUN }, { webhook: URL | {url, body, headers} }, { shell: COMMAND }, { notify: TEXT | {title, message} }",
  if: { type: "string" },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else, never awaited
  then: { enum: ["run", "pause", "resume", "cancel", "notify"] },
  else: {
    type: "object",
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
    properties: {
      run: templated("A deployment to run (default: this one)"),
      pause: templated("A deployment to pause (default: this one)"),
      resume: templated("A deployment to resume (default: this one)"),
      cancel: templated('A run to cancel (default: the event\'s run): "{{ event.resource }}"'),
      webhook: {
        "x-message":
          'must be a URL ("https://hooks.slack.com/...", "{{ secrets.slack_url }}") or { url, body, headers }',
        anyOf: [
          { type: "string", minLength: 1 },
          {
            type: "object",
            additionalProperties: false,
            required: ["url"],
            properties: {
              url: { type: "string", minLength: 1 },
              body: {
                description:
                  "The JSON to post (default: {text, content}, which Slack and Discord both take); strings take templates",
              },
              headers: { type: "object", additionalProperties: { type: "string" } },
            },
          },
        ],
      },
      shell: {
        description:
          'A command: argv ["notify.sh", "{{ event.name }}"] (each template fills one argument), or a string for sh -c (event values come as $ORCH_EVENT_NAME, $ORCH_EVENT_RESOURCE, $ORCH_EVENT_PAYLOAD, $ORCH_MESSAGE)',
        "x-message": "must be a string (run by sh -c) or a non-empty list (argv)",
        anyOf: [
          { type: "string", minLength: 1 },
          { type: "array", items: { type: "string" }, minItems: 1 },
        ],
      },
      notify: {
        "x-message": "must be a text or { title, message }",
        anyOf: [
          { type: "string", minLength: 1 },
          {
            type: "object",
            additionalProperties: false,
            properties: { title: templated("The title"), message: templated("The text") },
          },
        ],
      },
    },
  },
};

/** One entry of a deployment's `triggers:`. */
export const trigger = {
  type: "object",
  additionalProperties: false,
  description:
    "Reactive (on, with threshold/within/for_each), a sequence (after, then expect within), a join (after alone: all its events, in any order, within), or proactive (posture: proactive: expect did not come within)",
  properties: {
    name: { type: "string", minLength: 1, description: "A name for triggers ls and run details" },
    on: eventName,
    expect: {
      ...eventRef,
      description: "The event the trigger counts (another way to write on, with its own match)",
    },
    match: {
      ...match,
      description: `${match.description}. Applies to every event of the trigger (on/expect and after)`,
    },
    parameters: {
      ...parameters,
      description: 'Parameters of the run; "{{ event.resource.id }}" takes values from the event',
    },
    files: {
      type: "object",
      additionalProperties: false,
      required: ["folder"],
      description:
        "Fire once for each file that arrives in a folder (event file.arrived: path, file, size, sha256), once it stopped growing",
      properties: {
        folder: {
          type: "string",
          minLength: 1,
          description: "The folder watched: relative to this file, absolute, or ~/...",
        },
        glob: {
          type: "string",
          minLength: 1,
          description: 'Which files count: "*.csv", "**/*.json" (default "*")',
        },
        settle: {
          ...duration,
          description: "How long a file must keep its size and mtime before it counts (default 2s)",
        },
        move_to: {
          type: "string",
          minLength: 1,
          description: "A done folder the file is moved to once its run completed",
        },
      },
    },
    posture: {
      enum: ["reactive", "proactive"],
      description: "reactive (default): fire on the events; proactive: fire when they did not come",
    },
    after: {
      description:
        "Events that must come first: a list (all of them), or { all: [...] } / { any: [...] }. Without on/expect, the trigger fires once all of them came, in any order (Dagu's depends)",
      "x-message":
        "must be an event, a list of events (all must come), or { all: [...] } / { any: [...] }",
      anyOf: [
        eventRef,
        { type: "array", items: eventRef, minItems: 1 },
        {
          type: "object",
          additionalProperties: false,
          minProperties: 1,
          maxProperties: 1,
          properties: {
            all: { type: "array", items: eventRef, minItems: 1 },
            any: { type: "array", items: eventRef, minItems: 1 },
          },
        },
      ],
    },
    threshold: {
      type: "integer",
      minimum: 1,
      description: "How many matching events it takes (within the window)",
    },
    within: { ...duration, description: 'The window: "10m", "1h", "24h"' },
    for_each: {
      description:
        'Count separately per value of these fields: "deployment", "resource", ["deployment", "payload.host"]',
      anyOf: [
        { type: "string", minLength: 1 },
        { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
      ],
    },
    rate_limit: {
      type: "object",
      additionalProperties: false,
      required: ["limit", "per"],
      description:
        "Fire at most limit times per window; a firing held back emits trigger.rate-limited",
      properties: {
        limit: { type: "integer", minimum: 1 },
        per: { ...duration, description: 'The window: "1h"' },
      },
    },
    actions: {
      type: "array",
      minItems: 1,
      items: action,
      description: "What it does when it fires (default: run this deployment)",
    },
  },
};

/** `notify:` on a deployment: what to tell, and how, when its runs end in these states. */
export const notify = {
  type: "object",
  additionalProperties: false,
  description:
    "Tell someone when this deployment's runs end badly: { on: [failed, crashed], webhook: URL }",
  properties: {
    on: {
      type: "array",
      minItems: 1,
      items: { type: "string", minLength: 1 },
      description:
        "Run states, lower case: failed, crashed, cancelled, completed (default: failed, crashed)",
    },
    webhook: action.else.properties.webhook,
    shell: action.else.properties.shell,
    desktop: {
      description: "true, or a text: a desktop notification",
      anyOf: [{ type: "boolean" }, { type: "string", minLength: 1 }],
    },
    rate_limit: trigger.properties.rate_limit,
  },
};
