import {
  type BackfillJson,
  type BackfillPlanJson,
  type Clock,
  type CreateBackfillRequest,
  iso,
  MAX_BACKFILL_SLOTS,
  OrchError,
  type Problem,
} from "../core/index.ts";
import {
  type BackfillRow,
  backfillRunCounts,
  backfillSchedule,
  deploymentSpec,
  getDeploymentOrThrow,
  hasCompletedRunAt,
  insertBackfill,
  type Store,
} from "../store/index.ts";
import { nextSlot, type SlotRange, slotsIn } from "./backfill-slots.ts";
import { describeSchedule } from "./describe-schedule.ts";
import { parseIsoInZone, parseRangeEndInZone } from "./wall-time.ts";

/** A request checked against its deployment: the schedule and range it names. */
interface Resolved extends SlotRange {
  deploymentId: number;
  deployment: string;
  scheduleIndex: number;
}

/**
 * Check a backfill request (every problem at once, each with where it is): the deployment
 * exists, names one schedule (`schedule` picks among several, counting from 1), and `from` and
 * `to` are times in order. A time without an offset is read in the schedule's zone.
 */
function resolve(store: Store, request: CreateBackfillRequest): Resolved {
  const row = getDeploymentOrThrow(store, request.deployment);
  const schedules = deploymentSpec(row).schedules;
  const problems: Problem[] = [];
  const listing = schedules.map((s, i) => `${i + 1}: ${describeSchedule(s)}`).join("; ");
  if (schedules.length === 0) {
    throw new OrchError(
      "E_BAD_INPUT",
      `deployment ${row.name} has no schedule, so it has no slots to backfill; add a schedule to its definition (or trigger runs with orch run ${row.name} --at TIME)`,
    );
  }
  const index = request.schedule ?? (schedules.length === 1 ? 1 : undefined);
  if (index === undefined) {
    problems.push({
      where: "schedule",
      message: `deployment ${row.name} has ${schedules.length} schedules; pick one with --schedule N (${listing})`,
    });
  } else if (index > schedules.length) {
    problems.push({
      where: "schedule",
      message: `deployment ${row.name} has no schedule ${index} (${listing})`,
    });
  }
  const schedule = schedules[(index ?? 1) - 1] ?? schedules[0]!;
  const time = (key: "from" | "to") => {
    const at = (key === "to" ? parseRangeEndInZone : parseIsoInZone)(
      request[key],
      schedule.timezone,
    );
    if (at === null) {
      problems.push({
        where: key,
        message: `${JSON.stringify(request[key])} is not an ISO time (like 2026-03-01, 2026-03-01T02:00 in the schedule's zone ${schedule.timezone}, or 2026-03-01T01:00:00Z)`,
      });
    }
    return at;
  };
  const from = time("from");
  const to = time("to");
  if (from !== null && to !== null && from > to) {
    problems.push({
      where: "to",
      message: `${request.to} is before the range's start, ${request.from}`,
    });
  } else if (from !== null && to !== null) {
    problems.push(...futureProblems(request, { schedule, from, to, reverse: false }, store.clock));
  }
  if (problems.length) throw new OrchError("E_BAD_INPUT", "the backfill is not valid", problems);
  return {
    deploymentId: row.id,
    deployment: row.name,
    scheduleIndex: index!,
    schedule,
    from: from!,
    to: to!,
    reverse: request.reverse === true,
  };
}

/**
 * A backfill runs past slots only: those at or before now. A later slot is the schedule's to run
 * when it comes; run now, it would get a slot time ahead of the clock, and run again when the
 * schedule reaches it. So a `from` after now is refused, and so is a `to` that takes in a slot
 * still to come; a `to` a little after now with no slot between (a date alone, meaning the whole
 * of today) is fine.
 */
function futureProblems(request: CreateBackfillRequest, range: SlotRange, clock: Clock): Problem[] {
  const now = clock.now();
  const instead = `a backfill runs past slots only (at or before now, ${iso(now)}); the schedule runs later ones when they come`;
  if (range.from > now) {
    return [{ where: "from", message: `${request.from} is in the future: ${instead}` }];
  }
  const first = nextSlot({ ...range, from: now + 1 }, null);
  if (first === undefined) return [];
  return [
    {
      where: "to",
      message: `${request.to} takes in slots still to come (the first at ${iso(first)}): ${instead}; end the range at now or earlier`,
    },
  ];
}

/** What a backfill would do (--dry-run): its slots, each with whether a COMPLETED run has it. */
export function planBackfill(store: Store, request: CreateBackfillRequest): BackfillPlanJson {
  const range = resolve(store, request);
  const { slots, more } = slotsIn(range);
  if (more) throw tooMany(range);
  return {
    deployment: range.deployment,
    schedule: describeSchedule(range.schedule),
    total: slots.length,
    slots: slots.map((at) => ({
      at: iso(at)!,
      completed: hasCompletedRunAt(store, range.deploymentId, at),
    })),
  };
}

/** Start a backfill: stored running with its slot count; the runner feeds its runs. */
export function createBackfill(store: Store, request: CreateBackfillRequest): BackfillRow {
  const range = resolve(store, request);
  const { slots, more } = slotsIn(range);
  if (more) throw tooMany(range);
  if (slots.length === 0) {
    throw new OrchError(
      "E_BAD_INPUT",
      `no slot of ${describeSchedule(range.schedule)} falls between ${iso(range.from)} and ${iso(range.to)}; widen --from/--to (orch backfill --dry-run lists the slots)`,
    );
  }
  return insertBackfill(store, {
    ...range,
    onlyMissing: request.only_missing === true,
    maxConcurrency: request.max_concurrency ?? 1,
    total: slots.length,
  });
}

function tooMany(range: Resolved): OrchError {
  return new OrchError(
    "E_BAD_INPUT",
    `more than ${MAX_BACKFILL_SLOTS} slots of ${describeSchedule(range.schedule)} fall between ${iso(range.from)} and ${iso(range.to)}; split the range into several backfills`,
  );
}

/** The range a stored backfill walks. */
export function backfillRange(row: BackfillRow): SlotRange {
  return {
    schedule: backfillSchedule(row),
    from: row.from_at,
    to: row.to_at,
    reverse: row.reverse === 1,
  };
}

/** A stored backfill as the API shows it, with its runs counted and its next slot. */
export function backfillToJson(store: Store, row: BackfillRow): BackfillJson {
  const range = backfillRange(row);
  const ended = row.status === "completed" || row.status === "cancelled";
  return {
    id: row.id,
    deployment: row.deployment,
    schedule: describeSchedule(range.schedule),
    schedule_index: row.schedule_index,
    from: iso(row.from_at)!,
    to: iso(row.to_at)!,
    reverse: row.reverse === 1,
    only_missing: row.only_missing === 1,
    max_concurrency: row.max_concurrency,
    status: row.status,
    message: row.message,
    total: row.total,
    created: row.created,
    skipped: row.skipped,
    next_slot: ended ? null : iso(nextSlot(range, row.cursor)),
    runs: backfillRunCounts(store, row.id),
    created_at: iso(row.created_at)!,
    ended_at: iso(row.ended_at),
  };
}
