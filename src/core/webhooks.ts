/**
 * How a webhook's caller proves itself: an HMAC over the raw body in GitHub's, Stripe's or a
 * generic `sha256=` header form, or a shared secret in a header or the query. A webhook without
 * a check needs the API token, as every other request does.
 */
export const WEBHOOK_CHECKS = ["github", "stripe", "sha256", "header", "query"] as const;
export type WebhookCheck = (typeof WEBHOOK_CHECKS)[number];

/** A webhook as a definition file declares it (`webhooks:`), validated. */
export interface WebhookSpec {
  slug: string;
  check: WebhookCheck | null;
  /** The secret's name in the project's secrets store (orch secrets set). */
  secret?: string;
  /** Or the environment variable of orch up that holds it. */
  secret_env?: string;
  /** The header the signature or secret is in (sha256, header), lower case. */
  header?: string;
  /** The query parameter the secret is in (query). */
  query?: string;
  /** How old a Stripe signature's timestamp may be. */
  tolerance_ms?: number;
  /** Request headers copied into the event's payload (`headers`), lower case. */
  headers: string[];
  /** The header that names a delivery (a replay of one makes no second event), lower case. */
  delivery_header?: string;
}

/** The defaults of each check: the header or query parameter it reads, the delivery id's header. */
export const WEBHOOK_DEFAULTS = {
  github: { header: "x-hub-signature-256", delivery_header: "x-github-delivery" },
  stripe: { header: "stripe-signature", tolerance_ms: 300_000 },
  sha256: { header: "x-signature-256" },
  header: { header: "x-webhook-secret" },
  query: { query: "secret" },
} as const;

/** How long a delivery id is remembered for refusing replays. */
export const DELIVERY_MEMORY_MS = 30 * 24 * 3600_000;
