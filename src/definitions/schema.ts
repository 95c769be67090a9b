/**
 * The definition format (flows/**\/*.yaml) as JSON Schema: `orch schema` prints it for editors,
 * and validation checks every file against it before the checks a schema cannot express (cron,
 * time zones, durations, paths, parameters against their schema).
 */
import {
  MAX_DURATION_MS,
  NAME_MESSAGE,
  NAME_PATTERN,
  TAGS,
  WEBHOOK_CHECKS,
} from "../core/index.ts";
import { JOB_FIELDS } from "./job-template.ts";

const duration = {
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
const retention = (project: boolean) => ({
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

const parameters = {
  type: "object",
  description: "Parameters, merged over the deployment's defaults",
};

const schedule = {
  type: "object",
  description: "One schedule: exactly one of cron, interval or rrule",
  additionalProperties: false,
  properties: {
    cron: { type: "string", description: 'A cron expression, 5 or 6 fields: "0 2 * * *"' },
    interval: { ...duration, description: 'Every so long: "15m"' },
    anchor: {
      type: "string",
      description: "An ISO time that interval slots count from (default: the epoch)",
    },
    rrule: { type: "string", description: "An RFC 5545 recurrence rule: FREQ=WEEKLY;BYDAY=MO" },
    timezone: { type: "string", description: "An IANA time zone (default: UTC)" },
    parameters,
    active: { type: "boolean", description: "false keeps the schedule but plans no runs" },
    catchup: {
      enum: ["latest", "all", "none"],
      description: "Runs missed while orch was down: one for the window, each one, or none",
    },
    wake: {
      type: "boolean",
      description: "Wake this machine for its runs: orch wake-unit makes the OS timer that does",
    },
  },
};

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

const trigger = {
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
const notify = {
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

const deployment = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name: {
      type: "string",
      pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
      description: "Unique in the project: letters, digits, '.', '_' and '-'",
      "x-message":
        'must start with a letter or digit and hold only letters, digits, ".", "_" and "-"',
    },
    flow: {
      type: "string",
      description:
        'A TypeScript flow in this folder: "./etl.ts", or "./etl.ts:named" for a named export',
    },
    command: {
      description: 'A command: argv ["python3", "etl.py"], or a string run by sh -c',
      "x-message":
        'must be a non-empty list (argv, like ["python3", "etl.py"]) or a string (run by sh -c)',
      anyOf: [
        { type: "array", items: { type: ["string", "number", "boolean"] }, minItems: 1 },
        { type: "string", minLength: 1 },
      ],
    },
    description: { type: "string" },
    tags: TAGS,
    parameters: { ...parameters, description: "Default parameters" },
    parameter_schema: { type: "object", description: "A JSON Schema the parameters must match" },
    schedules: { type: "array", items: schedule },
    triggers: { type: "array", items: trigger },
    notify,
    retries: { type: "integer", minimum: 0, description: "Retries after a failure" },
    retry_delay: {
      description:
        "Wait before a retry: a duration, or a list of them, one per retry (the last repeats): [10s, 1m, 5m]",
      "x-message":
        'must be a duration ("30s", "15m", "1h30m", "500ms", a number of seconds) or a list of them, one per retry ([10s, 1m, 5m])',
      anyOf: [duration, { type: "array", items: duration, minItems: 1 }],
    },
    timeout: { ...duration, description: "A run taking longer fails as TimedOut" },
    concurrency: {
      type: "object",
      additionalProperties: false,
      required: ["limit"],
      properties: {
        limit: { type: "integer", minimum: 1 },
        collision: {
          enum: ["enqueue", "cancel-new"],
          description: "A run over the limit waits (enqueue) or is cancelled (cancel-new)",
        },
      },
    },
    work_pool: {
      type: "string",
      pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
      description: "The work pool whose workers run it (default: default)",
      "x-message":
        'must start with a letter or digit and hold only letters, digits, ".", "_" and "-"',
    },
    work_queue: {
      type: "string",
      pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
      description: "The queue in its pool (default: default)",
      "x-message":
        'must start with a letter or digit and hold only letters, digits, ".", "_" and "-"',
    },
    env: {
      type: "object",
      description: "Environment variables of the run",
      additionalProperties: { type: ["string", "number", "boolean"] },
    },
    cwd: {
      type: "string",
      description:
        "The working directory: relative to this folder (in the run's copy of it), or an absolute folder of the machine that runs it",
    },
    retention: retention(false),
    job_variables: {
      type: "object",
      additionalProperties: false,
      description: "Over its work pool's job template: image, env, volumes, cpus, memory...",
      properties: JOB_FIELDS,
    },
    include: {
      type: "array",
      items: { type: "string", minLength: 1 },
      description:
        'Globs of the files its runs use, relative to this folder: a flow\'s imports are found on their own; a command uses its whole folder unless this narrows it ("*.sh", "lib/**")',
    },
    run_name: {
      type: "string",
      minLength: 1,
      maxLength: 200,
      description:
        'A name for each run: "etl-{{ parameters.day }}" (shown by runs ls and the monitor)',
    },
  },
};

const workPool = {
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

const HEADER_NAME = {
  type: "string",
  pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$",
  "x-message": "must be an HTTP header name, such as X-Signature-256",
};

const webhook = {
  type: "object",
  additionalProperties: false,
  required: ["slug"],
  description: "A webhook at POST /hooks/<slug>: its requests become webhook.<slug> events",
  properties: {
    slug: {
      type: "string",
      pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$",
      "x-message":
        'must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (at most 100)',
    },
    check: {
      enum: WEBHOOK_CHECKS,
      description:
        "How a caller proves itself without the API token: github (X-Hub-Signature-256), stripe (Stripe-Signature), sha256 (a sha256=<hmac> header), header or query (a shared secret). Without it, callers need the API token",
    },
    secret: {
      type: "string",
      minLength: 1,
      description: "The secret's name: orch secrets set NAME",
    },
    secret_env: {
      type: "string",
      pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
      description: "Or the environment variable of orch up that holds the secret",
      "x-message": "must be an environment variable's name, such as GITHUB_WEBHOOK_SECRET",
    },
    header: {
      ...HEADER_NAME,
      description:
        "The header the signature or secret is in (default: X-Hub-Signature-256, Stripe-Signature, X-Signature-256, X-Webhook-Secret)",
    },
    query: {
      type: "string",
      minLength: 1,
      description: 'The query parameter the secret is in (check: query; default "secret")',
    },
    tolerance: { ...duration, description: "How old a Stripe signature may be (default 5m)" },
    headers: {
      type: "array",
      items: HEADER_NAME,
      description: "Request headers copied into the event's payload, under headers",
    },
    delivery_header: {
      ...HEADER_NAME,
      description:
        "The header naming a delivery: a replayed delivery makes no second event (github: X-GitHub-Delivery; stripe: the event's id)",
    },
  },
};

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

/** The keys a deployment may have, for did-you-mean suggestions. */
export const DEPLOYMENT_KEYS = Object.keys(deployment.properties);
