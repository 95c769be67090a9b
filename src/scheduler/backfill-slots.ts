import { MAX_BACKFILL_SLOTS, type ScheduleSpec } from "../core/index.ts";
import { occurrences, occurrencesBefore } from "./occurrences.ts";

/** A backfill's range and direction over one schedule; both ends may be slots. */
export interface SlotRange {
  schedule: ScheduleSpec;
  from: number;
  to: number;
  reverse: boolean;
}

/**
 * The slot after `cursor` (the last one handled; null before the first), in the range's
 * direction, or undefined when none is left. Slots are the schedule's own (the scheduler's
 * occurrence code, in its zone, counted from its anchor), never intervals counted from `from`.
 */
export function nextSlot(range: SlotRange, cursor: number | null): number | undefined {
  const { schedule, from, to } = range;
  if (range.reverse) {
    const before = cursor === null ? to : cursor - 1;
    return occurrencesBefore(schedule, before, from - 1, 1)[0];
  }
  const after = cursor === null ? from : cursor + 1;
  return occurrences(schedule, after, to + 1, 1)[0];
}

/**
 * The range's slots in its direction, at most `limit`; `more` says whether any were left out.
 * Walks in chunks, so a range of a minutely schedule over a year is counted, not listed at once.
 */
export function slotsIn(
  range: SlotRange,
  limit = MAX_BACKFILL_SLOTS,
): { slots: number[]; more: boolean } {
  const slots: number[] = [];
  let cursor: number | null = null;
  while (slots.length <= limit) {
    const chunk: number[] = range.reverse
      ? occurrencesBefore(
          range.schedule,
          cursor === null ? range.to : cursor - 1,
          range.from - 1,
          1000,
        )
      : occurrences(range.schedule, cursor === null ? range.from : cursor + 1, range.to + 1, 1000);
    if (chunk.length === 0) break;
    slots.push(...chunk);
    cursor = chunk[chunk.length - 1]!;
  }
  return { slots: slots.slice(0, limit), more: slots.length > limit };
}
