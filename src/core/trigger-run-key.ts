/**
 * The idempotency key of a run a trigger made from an event: the deployment, the trigger (by
 * its content) and the event, so an event handled twice never makes two runs. Defined once:
 * the triggers make it, and what follows a run back to its event (a file's move) reads it.
 */
export function triggerRunKey(deployment: string, trigger: string, eventId: number): string {
  return `trigger:${deployment}:${trigger}:${eventId}`;
}

/** The event a run was made from by a trigger, or null for a run made any other way. */
export function triggerEventOf(run: {
  created_by: string;
  idempotency_key: string | null;
}): number | null {
  if (run.created_by !== "trigger" || !run.idempotency_key) return null;
  const match = /^trigger:.*:(\d+)$/.exec(run.idempotency_key);
  return match ? Number(match[1]) : null;
}

/** A LIKE pattern that matches the keys of runs made by triggers from event `eventId`. */
export function triggerRunKeyPattern(eventId: number): string {
  return `trigger:%:${eventId}`;
}
