import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { OrchError, WEBHOOK_DEFAULTS, type WebhookSpec } from "../../core/index.ts";

/** What a webhook's check reads of a request. */
export interface WebhookRequest {
  /** The body exactly as sent: signatures are over these bytes. */
  body: Uint8Array;
  headers: Headers;
  query: URLSearchParams;
  /** Now, in ms (Stripe's timestamp tolerance). */
  now: number;
}

/**
 * Whether two strings are equal, in time that does not depend on where they differ. Both are
 * hashed first, so the comparison does not even tell the length of the expected value.
 */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

function hmacHex(secret: string, ...parts: (string | Uint8Array)[]): string {
  const mac = createHmac("sha256", secret);
  for (const part of parts) mac.update(part);
  return mac.digest("hex");
}

const refused = (message: string) => new OrchError("E_UNAUTHORIZED", message);

/** Stripe's header: `t=TIMESTAMP,v1=SIGNATURE[,v1=...]`, with the body signed as `t.body`. */
function checkStripe(spec: WebhookSpec, secret: string, req: WebhookRequest, value: string): void {
  const parts = value.split(",").map((p) => p.trim().split("="));
  const stamp = parts.find(([k]) => k === "t")?.[1];
  const signatures = parts.filter(([k]) => k === "v1").map(([, v]) => v ?? "");
  if (!stamp || !/^\d+$/.test(stamp) || !signatures.length) {
    throw refused("the Stripe-Signature header must hold t=<timestamp> and v1=<signature>");
  }
  const expected = hmacHex(secret, `${stamp}.`, req.body);
  if (!signatures.some((s) => sameSecret(s, expected))) {
    throw refused("the signature does not match the body (is the signing secret right?)");
  }
  const tolerance = spec.tolerance_ms ?? WEBHOOK_DEFAULTS.stripe.tolerance_ms;
  const age = req.now - Number(stamp) * 1000;
  if (Math.abs(age) > tolerance) {
    throw refused(
      `the signature's timestamp is ${Math.round(age / 1000)} s old, outside the tolerance of ${tolerance / 1000} s (a replayed request?)`,
    );
  }
}

/**
 * Check a request against its webhook's check with the webhook's secret; throws E_UNAUTHORIZED
 * (401) saying what was wrong. Signatures are HMAC-SHA256 over the raw body, compared in
 * constant time.
 */
export function verifyWebhook(spec: WebhookSpec, secret: string, req: WebhookRequest): void {
  if (spec.check === null) return;
  if (spec.check === "query") {
    const name = spec.query ?? WEBHOOK_DEFAULTS.query.query;
    const given = req.query.get(name);
    if (given === null) throw refused(`this webhook needs its secret in ?${name}=`);
    if (!sameSecret(given, secret)) throw refused(`the secret in ?${name}= is wrong`);
    return;
  }
  const header = spec.header ?? WEBHOOK_DEFAULTS[spec.check].header;
  const value = req.headers.get(header);
  if (value === null) throw refused(`this webhook needs the header ${header}`);
  if (spec.check === "header") {
    if (!sameSecret(value, secret)) throw refused(`the secret in ${header} is wrong`);
    return;
  }
  if (spec.check === "stripe") {
    checkStripe(spec, secret, req, value);
    return;
  }
  // GitHub's X-Hub-Signature-256 and the generic form: "sha256=<hex HMAC of the body>".
  const given = value.trim().replace(/^sha256=/i, "");
  if (!sameSecret(given.toLowerCase(), hmacHex(secret, req.body))) {
    throw refused(
      `the signature in ${header} does not match the body (is the secret right? it must be sha256=<hex HMAC-SHA256 of the raw body>)`,
    );
  }
}
