import type { TriggerSpec } from "../core/index.ts";

/** An event as triggers see it. */
export interface TriggerEvent {
  id: number;
  name: string;
  resource: string | null;
  payload: Record<string, unknown>;
}

/** `*` in a pattern matches any run of characters; the rest is literal. */
function glob(pattern: string, value: string): boolean {
  if (!pattern.includes("*")) return pattern === value;
  const source = pattern
    .split("*")
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`).test(value);
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

/** Whether an event fires a trigger: its name matches `on` and every `match` key matches. */
export function matchesTrigger(trigger: TriggerSpec, event: TriggerEvent): boolean {
  if (!glob(trigger.on, event.name)) return false;
  return Object.entries(trigger.match).every(([key, expected]) => {
    const value = eventValue(event, key);
    return value !== undefined && value !== null && glob(expected, String(value));
  });
}
