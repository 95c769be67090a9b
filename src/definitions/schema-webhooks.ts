/** A webhook in the definition format (`webhooks:`), with the check that lets its senders in. */
import { WEBHOOK_CHECKS } from "../core/index.ts";
import { duration } from "./schema-values.ts";

const HEADER_NAME = {
  type: "string",
  pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$",
  "x-message": "must be an HTTP header name, such as X-Signature-256",
};

/** One entry of `webhooks:`. */
export const webhook = {
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
