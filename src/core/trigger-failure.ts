/** What a `trigger.failed` event carries (events/fire-trigger.ts records it). */
export interface TriggerFailure {
  deployment: string;
  trigger: string;
  action: string;
  event: string;
  event_id: number;
  message: string;
}

/**
 * A trigger's failed action in one line, as the server's log and the monitor's event line both
 * say it: "the trigger triggers[0] of guard could not run its pause action on ops.stop #12: why".
 */
export function triggerFailureLine(f: TriggerFailure): string {
  const what = f.action === "notify" ? "notify" : `run its ${f.action} action`;
  return `the trigger ${f.trigger} of ${f.deployment} could not ${what} on ${f.event} #${f.event_id}: ${f.message}`;
}
