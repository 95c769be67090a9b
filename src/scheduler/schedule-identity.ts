import { type ScheduleSpec, stableStringify } from "../core/index.ts";

/**
 * A schedule's identity: a short stable hash of what decides its runs (its times and zone, and
 * its parameters, so two schedules that differ only in parameters both run). `active` and
 * `catchup` are left out: switching them does not make the schedule another one.
 */
export function scheduleId(schedule: ScheduleSpec): string {
  const { cron, interval_ms, anchor, rrule, timezone, parameters } = schedule;
  // Bun's one-shot hash: a quarter of node:crypto's createHash here, and planning a large
  // project asks for each schedule's identity twice per deployment. The same digest, so the
  // same keys as ever.
  return Bun.SHA256.hash(
    stableStringify({ cron, interval_ms, anchor, rrule, timezone, parameters }),
    "hex",
  ).slice(0, 16);
}

/**
 * The idempotency key of one slot: deployment, schedule identity and time. The flow_runs column
 * it goes in is UNIQUE, so however often a slot is planned (a restart, a redeploy, two
 * schedulers racing on one database) it has at most one run. The time is ISO so keys of one
 * schedule sort by time, and the latest slot seen is one indexed lookup.
 */
export function slotKey(deployment: string, id: string, at: number): string {
  return `${slotPrefix(deployment, id)}${new Date(at).toISOString()}`;
}

/** The start shared by every slot key of one schedule of one deployment. */
export function slotPrefix(deployment: string, id: string): string {
  return `schedule:${deployment}:${id}:`;
}

/** The schedule identity and time in a slot key, or null for another kind of key. */
export function parseSlotKey(
  deployment: string,
  key: string | null,
): { id: string; at: number } | null {
  const start = `schedule:${deployment}:`;
  if (!key?.startsWith(start)) return null;
  const rest = key.slice(start.length);
  const colon = rest.indexOf(":");
  if (colon < 0) return null;
  const at = Date.parse(rest.slice(colon + 1));
  return Number.isNaN(at) ? null : { id: rest.slice(0, colon), at };
}
