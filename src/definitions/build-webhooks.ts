import {
  checkValueName,
  WEBHOOK_CHECKS,
  WEBHOOK_DEFAULTS,
  type WebhookCheck,
  type WebhookSpec,
} from "../core/index.ts";
import { duration, isObject, type Report } from "./definition-values.ts";

/** Which keys each check reads (the others are refused, so a typo is not silently ignored). */
const KEYS_OF: Record<WebhookCheck, string[]> = {
  github: ["header", "delivery_header"],
  stripe: ["header", "tolerance"],
  sha256: ["header", "delivery_header"],
  header: ["header", "delivery_header"],
  query: ["query", "delivery_header"],
};

/**
 * The webhooks a file declares (`webhooks:`), each with its check's secret source checked: a
 * check needs exactly one of `secret` (the secrets store) or `secret_env`; a webhook without a
 * check takes neither (its callers need the API token).
 */
export function buildWebhooks(webhooks: unknown, report: Report): WebhookSpec[] {
  const out: WebhookSpec[] = [];
  const slugs = new Set<string>();
  (Array.isArray(webhooks) ? webhooks : []).forEach((raw: unknown, i: number) => {
    if (!isObject(raw) || typeof raw.slug !== "string") return;
    const at = (...keys: (string | number)[]) => ["webhooks", i, ...keys];
    let problems = 0;
    const count: Report = (path, message, key) => {
      problems++;
      report(path, message, key);
    };
    if (slugs.has(raw.slug))
      count(at("slug"), `webhook ${JSON.stringify(raw.slug)} is declared twice in this file`);
    slugs.add(raw.slug);
    // An unknown check is reported by the schema; the rest is then checked as if it had none.
    if (raw.check !== undefined && !WEBHOOK_CHECKS.includes(raw.check as WebhookCheck)) return;
    const check = typeof raw.check === "string" ? (raw.check as WebhookCheck) : null;
    const sources = ["secret", "secret_env"].filter((k) => raw[k] !== undefined);
    if (check && sources.length !== 1) {
      count(
        at(sources.length ? "secret_env" : "check"),
        sources.length
          ? 'has both "secret" and "secret_env"; give one'
          : `needs the secret it checks with: "secret: NAME" (set by orch secrets set NAME) or "secret_env: VARIABLE"`,
      );
    }
    if (!check && sources.length) {
      count(
        at(sources[0]!),
        'is only used with a check; add "check: github", "stripe", "sha256", "header" or "query"',
      );
    }
    if (typeof raw.secret === "string") {
      // The secret is named, not filled in: `secret: db_pass`, as `orch secrets set db_pass`.
      const placeholder = /^\{\{\s*secrets\.(\S+?)\s*\}\}$/.exec(raw.secret);
      try {
        if (placeholder) {
          count(
            at("secret"),
            `takes the secret's name, not a placeholder: write secret: ${placeholder[1]}`,
          );
        } else checkValueName("secret", raw.secret);
      } catch (error) {
        count(at("secret"), (error as Error).message);
      }
    }
    for (const key of ["header", "query", "tolerance", "delivery_header"]) {
      if (raw[key] === undefined) continue;
      const allowed = check ? KEYS_OF[check] : ["delivery_header"];
      if (!allowed.includes(key)) {
        count(
          at(key),
          check
            ? `is not used by check: ${check} (it reads ${KEYS_OF[check].join(", ")})`
            : "is only used with a check",
        );
      }
    }
    if (problems) return;
    const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : undefined);
    const spec: WebhookSpec = {
      slug: raw.slug,
      check,
      headers: Array.isArray(raw.headers) ? raw.headers.map((h) => String(h).toLowerCase()) : [],
    };
    if (typeof raw.secret === "string") spec.secret = raw.secret;
    if (typeof raw.secret_env === "string") spec.secret_env = raw.secret_env;
    const header = lower(raw.header);
    if (header) spec.header = header;
    if (typeof raw.query === "string") spec.query = raw.query;
    const tolerance = duration(raw.tolerance);
    if (tolerance !== undefined) spec.tolerance_ms = tolerance;
    else if (check === "stripe") spec.tolerance_ms = WEBHOOK_DEFAULTS.stripe.tolerance_ms;
    const delivery = lower(raw.delivery_header);
    if (delivery) spec.delivery_header = delivery;
    out.push(spec);
  });
  return out;
}

/**
 * A webhook's slug is declared in one file only: the first file (by path) that declares it
 * keeps it, and each later one gets a problem naming the first.
 */
export function webhooksSetTwice(
  files: { abs: string; file: string; webhooks: WebhookSpec[]; slugsAt?: Record<string, string> }[],
): { abs: string; problem: { where: string; message: string } }[] {
  const owner = new Map<string, string>();
  const out: { abs: string; problem: { where: string; message: string } }[] = [];
  for (const f of [...files].sort((a, b) => (a.abs < b.abs ? -1 : 1))) {
    for (const hook of f.webhooks) {
      const first = owner.get(hook.slug);
      const where = f.slugsAt?.[hook.slug] ?? f.file;
      if (first === undefined) owner.set(hook.slug, where);
      else
        out.push({
          abs: f.abs,
          problem: {
            where,
            message: `webhook ${JSON.stringify(hook.slug)} is also declared in ${first}; declare a webhook in one file`,
          },
        });
    }
  }
  return out;
}
