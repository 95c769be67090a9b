import { OrchError, type WebhookSpec } from "../../core/index.ts";

/** Where a webhook's secret is read: the secrets store by name, the environment by variable. */
export interface SecretSources {
  secret(name: string): string | undefined;
  env: Record<string, string | undefined>;
}

/**
 * The secret a webhook's check compares with. A secret that is not set is a 503 naming what to
 * set: the sender retries later, and nothing is let through without its check.
 */
export function webhookSecret(spec: WebhookSpec, sources: SecretSources): string {
  if (spec.secret !== undefined) {
    const value = sources.secret(spec.secret);
    if (value) return value;
    throw new OrchError(
      "E_BUSY",
      `webhook ${spec.slug} checks with the secret ${JSON.stringify(spec.secret)}, which is not set; set it with: orch secrets set ${spec.secret}`,
    );
  }
  const name = spec.secret_env ?? "";
  const value = sources.env[name];
  if (value) return value;
  throw new OrchError(
    "E_BUSY",
    `webhook ${spec.slug} checks with the environment variable ${name}, which is not set where orch up runs; set it and restart orch up`,
  );
}
