import { type EventRef, glob } from "../core/index.ts";
import type { EventRow } from "../store/index.ts";

/** An event as triggers see it. */
export interface TriggerEvent {
  id: number;
  name: string;
  resource: string | null;
  payload: Record<string, unknown>;
  /** When it was recorded (epoch ms); windows count from here, so a replayed event counts as it was. */
  at?: number;
}

/** A stored event as triggers see it. */
export function triggerEventOf(row: EventRow): TriggerEvent {
  return {
    id: row.id,
    name: row.name,
    resource: row.resource,
    payload: JSON.parse(row.payload),
    at: row.at,
  };
}

/** A value of the event by key: `resource`, `name`, or a payload key (`payload.x.y` or `x.y`). */
export function eventValue(event: TriggerEvent, key: string): unknown {
  if (key === "resource" || key === "resource.id") return event.resource;
  if (key === "name") return event.name;
  if (key === "id") return event.id;
  let value: unknown = event.payload;
  for (const part of key.replace(/^payload\./, "").split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * Whether a field's value matches a match entry: any of its patterns (`*` wildcards), and none
 * of its negated ones (`!pattern`; `\!` is a literal `!`). A missing field matches only an
 * entry made of negations alone ("not Cancelled" holds for an event with no state).
 */
export function matchesValue(expected: string | readonly string[], value: unknown): boolean {
  const patterns = typeof expected === "string" ? [expected] : expected;
  const text = value === undefined || value === null ? null : String(value);
  let positives = 0;
  let hit = false;
  for (const pattern of patterns) {
    if (pattern.startsWith("!")) {
      if (text !== null && glob(pattern.slice(1), text)) return false;
    } else {
      positives++;
      if (!hit && text !== null) hit = glob(pattern.replace(/^\\!/, "!"), text);
    }
  }
  return positives === 0 || hit;
}

/** Whether an event is the one a reference waits for: its name matches `on`, every `match` key matches. */
export function matchesRef(ref: EventRef, event: TriggerEvent): boolean {
  if (!glob(ref.on, event.name)) return false;
  for (const [key, expected] of Object.entries(ref.match)) {
    if (!matchesValue(expected, eventValue(event, key))) return false;
  }
  return true;
}
