export { type ArmedTrigger, armTriggers, triggerKind } from "./armed-triggers.ts";
export { startFileArrivals } from "./file-arrivals/start-file-arrivals.ts";
export { describeEvent, type TriggerLogger } from "./fire-trigger.ts";
export { KNOWN_EVENTS, payloadKeys, triggerProblems } from "./known-events.ts";
export { type MatchEntry, matchContradiction } from "./match-contradiction.ts";
export { eventValue, matchesRef, matchesValue, type TriggerEvent } from "./match-event.ts";
export { desktopNotifier, type ValueSource } from "./outside-actions.ts";
export { renderParameters, renderTemplates, templateProblems } from "./render-parameters.ts";
export { startTriggers, type TriggerEngine, type TriggerOptions } from "./start-triggers.ts";
export { listTriggerStates } from "./trigger-states.ts";
export {
  type SecretSources,
  verifyWebhook,
  type WebhookRequest,
  webhookSecret,
} from "./webhooks/index.ts";
