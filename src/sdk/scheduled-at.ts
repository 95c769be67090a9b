/**
 * The time the current run is for: its schedule slot, or a backfill's slot (ORCH_SCHEDULED_AT).
 * A flow that loads "yesterday's data" should read the day from here, not from the clock, so a
 * backfilled or caught-up run works on its own slot's data. Null outside a run of orch.
 */
export function getScheduledAt(): Date | null {
  const text = process.env.ORCH_SCHEDULED_AT;
  if (!text) return null;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? null : at;
}
