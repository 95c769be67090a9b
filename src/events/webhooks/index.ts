export { verifyWebhook, type WebhookRequest } from "./verify-webhook.ts";
export { type SecretSources, webhookSecret } from "./webhook-secret.ts";
