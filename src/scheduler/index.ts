export { nextSlot, type SlotRange, slotsIn } from "./backfill-slots.ts";
export {
  CATCHUP_ALL_CAP,
  type CatchupResult,
  catchUp,
  type MissedCause,
} from "./catch-up.ts";
export {
  backfillRange,
  backfillToJson,
  createBackfill,
  planBackfill,
} from "./create-backfill.ts";
export { describeSchedule } from "./describe-schedule.ts";
export { lateReason, markLateRuns } from "./mark-late.ts";
export { occurrences, occurrencesBefore, type ScheduleKind, scheduleKind } from "./occurrences.ts";
export { type PlanInput, type PlanResult, planDeployment } from "./plan-deployment.ts";
export {
  type BackfillRunner,
  backfillSlotKey,
  feedBackfill,
  startBackfills,
} from "./run-backfills.ts";
export { parseSlotKey, scheduleId, slotKey } from "./schedule-identity.ts";
export {
  type Scheduler,
  type SchedulerLogger,
  type SchedulerOptions,
  startScheduler,
} from "./start-scheduler.ts";
export { systemTimers, type Timers } from "./timers.ts";
export { scheduleAt, upcomingRuns } from "./upcoming-runs.ts";
export { cronProblem, rruleProblem } from "./validate-schedule.ts";
export { parseIsoInZone } from "./wall-time.ts";
