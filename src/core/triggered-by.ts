import type { TriggeredBy } from "./wire/triggers.ts";

/** Which trigger started a run, in words: "on-push of ship, on webhook github #42". */
export function renderTriggeredBy(by: TriggeredBy): string {
  const on = by.webhook ? `webhook ${by.webhook}` : by.event;
  return `${by.trigger} of ${by.deployment}, on ${on} #${by.event_id}`;
}
