import type { Document } from "yaml";
import { payloadKeys } from "../events/index.ts";
import { offsetOf } from "./definition-positions.ts";
import { type Item, isObject, type Path } from "./definition-values.ts";
import { toAfter } from "./trigger-events.ts";

/** A deployment a trigger's match names by its literal name, and where. */
export interface NamedDeployment {
  name: string;
  where: string;
}

const KEYS = ["deployment", "payload.deployment"];

/**
 * The deployments a definition's triggers match on by name (`match: { deployment: ingest }`, a
 * literal: no `*`, no `!`), on orch's own events that carry the deployment, each with where it
 * is written. A deploy warns of one that names no deployment: it may be a typo, or come later.
 */
export function triggerDeployments(
  item: Item,
  base: Path,
  doc: Document,
  at: (offset: number) => string,
): NamedDeployment[] {
  const found: NamedDeployment[] = [];
  const triggers = Array.isArray(item.triggers) ? item.triggers : [];
  triggers.forEach((t: unknown, i: number) => {
    if (!isObject(t)) return;
    const here: Path = [...base, "triggers", i];
    const events: { on: unknown; match: unknown; path: Path }[] = [];
    const add = (raw: unknown, path: Path) => {
      if (typeof raw === "string") events.push({ on: raw, match: undefined, path });
      else if (isObject(raw)) events.push({ on: raw.on, match: raw.match, path });
    };
    if (t.expect !== undefined) add(t.expect, [...here, "expect"]);
    else if (t.on !== undefined) add(t.on, here);
    const after = toAfter(t.after);
    after?.refs.forEach((ref, j) => {
      const listed = Array.isArray(t.after) || after.key.length > 0;
      add(ref, [...here, "after", ...after.key, ...(listed ? [j] : [])]);
    });
    for (const event of events) {
      if (typeof event.on !== "string" || !payloadKeys(event.on)?.includes("deployment")) continue;
      // The event's own match, then the trigger's (its own key replaces the trigger's).
      for (const [match, path] of [
        [event.match, [...event.path, "match"]],
        [t.match, [...here, "match"]],
      ] as const) {
        if (!isObject(match)) continue;
        for (const key of KEYS) {
          const value = match[key];
          const names = (Array.isArray(value) ? value : [value]).filter(
            (v): v is string => typeof v === "string" && !v.includes("*") && !v.startsWith("!"),
          );
          for (const name of names) {
            found.push({
              name: name.replace(/^\\!/, "!"),
              where: at(offsetOf(doc, [...path], key)),
            });
          }
        }
        if (KEYS.some((k) => isObject(event.match) && k in event.match)) break;
      }
    }
  });
  return found;
}
