export { startFileArrivals } from "./file-arrivals/start-file-arrivals.ts";
export { KNOWN_EVENTS, triggerProblems } from "./known-events.ts";
export { eventValue, matchesTrigger, type TriggerEvent } from "./match-event.ts";
export { renderParameters, templateProblems } from "./render-parameters.ts";
export { startTriggers, type TriggerLogger } from "./start-triggers.ts";
export {
  type SecretSources,
  verifyWebhook,
  type WebhookRequest,
  webhookSecret,
} from "./webhooks/index.ts";
