import {
  COUNTED,
  clearTriggerBucket,
  closeDeadline,
  countTriggerEvents,
  getDeadline,
  putDeadline,
  rememberTriggerEvent,
  type Store,
  seenAfterSlots,
} from "../store/index.ts";
import type { ArmedTrigger } from "./armed-triggers.ts";
import { eventValue, matchesRef, type TriggerEvent } from "./match-event.ts";

/**
 * The bucket an event counts in: its for_each values as JSON ("" without for_each), or null
 * when it lacks one of them (it counts nowhere).
 */
export function bucketOf(
  forEach: readonly string[] | undefined,
  event: TriggerEvent,
): string | null {
  if (!forEach?.length) return "";
  const values: string[] = [];
  for (const key of forEach) {
    const value = eventValue(event, key);
    if (value === undefined || value === null) return null;
    values.push(typeof value === "string" ? value : JSON.stringify(value));
  }
  return values.length === 1 ? values[0]! : JSON.stringify(values);
}

/** Whether an event is one a trigger counts: its `on` event (a join has none). */
function countedBy(spec: ArmedTrigger["spec"], event: TriggerEvent): boolean {
  return spec.on !== undefined && matchesRef({ on: spec.on, match: spec.match }, event);
}

/**
 * Whether an event concerns a trigger at all (as its counted event or one of its after events).
 * A trigger's own trigger.* events never do.
 */
export function concerns(trigger: ArmedTrigger, event: TriggerEvent): boolean {
  const own =
    event.name.startsWith("trigger.") &&
    event.payload.deployment === trigger.deployment &&
    event.payload.trigger === trigger.label;
  return (
    !own &&
    (countedBy(trigger.spec, event) ||
      (trigger.spec.after?.events.some((ref) => matchesRef(ref, event)) ?? false))
  );
}

/**
 * Apply an event to a trigger's stored state (in the caller's transaction) and say whether it
 * fires now. Reactive: fires on its counted event once `threshold` of them came within the
 * window (in the event's bucket), and only after its after events (all or any of them, within
 * the window). Proactive: never fires on an event: its after events open a deadline, its
 * counted events meet it (the deadline timer fires what was not met, see trigger-deadlines.ts).
 * The counted event is looked at before the after events, so one event never completes its
 * own sequence. A join (after events, no `on`) fires on the event that completes its after
 * events (all of them, in any order, within the window; or any one), then starts afresh.
 */
export function evaluateTrigger(store: Store, trigger: ArmedTrigger, event: TriggerEvent): boolean {
  const { spec, id } = trigger;
  const at = event.at ?? store.clock.now();
  const counted = countedBy(spec, event);
  const slots = (spec.after?.events ?? []).flatMap((ref, i) => (matchesRef(ref, event) ? [i] : []));
  if (!counted && !slots.length) return false;
  const bucket = bucketOf(spec.for_each, event);
  if (bucket === null) return false;
  const need = spec.threshold ?? 1;
  const within = spec.within_ms;
  let fires = false;

  if (spec.posture === "proactive") {
    const open = getDeadline(store, id, bucket);
    if (counted) {
      if (spec.after) {
        // Met in time: one more expected event seen; enough of them close the deadline. One
        // that came after the deadline leaves it for the timer, which fires it.
        if (open && open.due_at >= at) {
          if (open.seen + 1 >= need) closeDeadline(store, id, bucket, open.due_at);
          else putDeadline(store, { ...open, seen: open.seen + 1 });
        }
      } else if (!open || open.due_at >= at) {
        // Rolling: enough events in the window start the next window from this one.
        if (!open || open.seen + 1 >= need) {
          putDeadline(store, {
            trigger: id,
            bucket,
            due_at: at + within!,
            since: at,
            seen: 0,
            after_event: null,
          });
        } else putDeadline(store, { ...open, seen: open.seen + 1 });
      }
    }
    if (slots.length && spec.after && !open) {
      for (const slot of slots) rememberTriggerEvent(store, id, bucket, slot, event.id, at);
      const seen = seenAfterSlots(store, id, bucket, 0);
      const ready = spec.after.mode === "any" || spec.after.events.every((_, i) => seen.has(i));
      if (ready) {
        clearTriggerBucket(store, id, bucket);
        putDeadline(store, {
          trigger: id,
          bucket,
          due_at: at + within!,
          since: at,
          seen: 0,
          after_event: event.id,
        });
      }
    }
    return false;
  }

  if (spec.on === undefined && spec.after) {
    for (const slot of slots) rememberTriggerEvent(store, id, bucket, slot, event.id, at);
    const seen = seenAfterSlots(store, id, bucket, within ? at - within : 0);
    fires = spec.after.mode === "any" || spec.after.events.every((_, i) => seen.has(i));
    if (fires) clearTriggerBucket(store, id, bucket);
    return fires;
  }

  if (counted) {
    let ready = true;
    if (spec.after) {
      const seen = seenAfterSlots(store, id, bucket, within ? at - within : 0);
      ready =
        spec.after.mode === "any" ? seen.size > 0 : spec.after.events.every((_, i) => seen.has(i));
    }
    if (ready) {
      if (need <= 1) fires = true;
      else {
        rememberTriggerEvent(store, id, bucket, COUNTED, event.id, at);
        fires = countTriggerEvents(store, id, bucket, COUNTED, within ? at - within : 0) >= need;
      }
      // A firing starts the next count (and sequence) from nothing.
      if (fires) clearTriggerBucket(store, id, bucket);
    }
  }
  for (const slot of slots) rememberTriggerEvent(store, id, bucket, slot, event.id, at);
  return fires;
}
