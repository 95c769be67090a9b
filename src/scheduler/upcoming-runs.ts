import type { DeploymentSpec, ScheduleSpec } from "../core/index.ts";
import { occurrences } from "./occurrences.ts";

/**
 * The next `count` times after `now` across a deployment's active schedules (those `only`
 * keeps, when given: the `wake: true` ones for a wake timer), in order.
 */
export function upcomingRuns(
  spec: DeploymentSpec,
  count: number,
  now: number,
  only: (schedule: ScheduleSpec) => boolean = () => true,
): number[] {
  const times = new Set<number>();
  for (const schedule of spec.schedules) {
    if (!schedule.active || !only(schedule)) continue;
    for (const t of occurrences(schedule, now + 1, Number.POSITIVE_INFINITY, count)) times.add(t);
  }
  return [...times].sort((a, b) => a - b).slice(0, count);
}

/** The first active schedule of a deployment that has a run at `at`, or null. */
export function scheduleAt(spec: DeploymentSpec, at: number): ScheduleSpec | null {
  return spec.schedules.find((s) => s.active && occurrences(s, at, at + 1, 1).length > 0) ?? null;
}
