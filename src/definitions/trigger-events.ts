import type { EventRef } from "../core/index.ts";
import { type MatchEntry, matchContradiction } from "../events/index.ts";
import { isObject, type Path } from "./definition-values.ts";

type Match = EventRef["match"];

/** A match as written (scalars or lists) as stored: text patterns. */
export function toMatch(value: unknown): Match {
  if (!isObject(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]),
  );
}

/** An event reference as written (a name, or { on, match }) with the trigger's match over it. */
export function toRef(value: unknown, shared: Match): EventRef {
  if (typeof value === "string") return { on: value, match: { ...shared } };
  const item = isObject(value) ? value : {};
  return { on: String(item.on ?? ""), match: { ...shared, ...toMatch(item.match) } };
}

/** The after events as written: one, a list (all of them), or { all } / { any }. */
export function toAfter(
  value: unknown,
): { refs: unknown[]; mode: "all" | "any"; key: Path } | null {
  if (value === undefined) return null;
  if (Array.isArray(value)) return { refs: value, mode: "all", key: [] };
  if (isObject(value) && (Array.isArray(value.all) || Array.isArray(value.any))) {
    const mode = Array.isArray(value.any) ? "any" : "all";
    return { refs: value[mode] as unknown[], mode, key: [mode] };
  }
  return { refs: [value], mode: "all", key: [] };
}

/**
 * Why an event of a trigger, as written (`raw`: a name or { on, match }) under the trigger's
 * `match` (`shared`), can never come, or null. `own` says whether the event's own match takes
 * part (the problem is then reported there, else at the trigger's match).
 */
export function refContradiction(
  raw: unknown,
  on: string,
  shared: Match,
): { message: string; own: boolean } | null {
  const own = isObject(raw) ? toMatch(raw.match) : {};
  const entries: MatchEntry[] = [
    // The event's own key replaces the trigger's same key.
    ...Object.entries(shared)
      .filter(([key]) => !(key in own))
      .map(([key, expected]) => ({ key, expected, where: "the trigger's match" })),
    ...Object.entries(own).map(([key, expected]) => ({ key, expected, where: "its own match" })),
  ];
  const found = matchContradiction(on, entries);
  if (!found) return null;
  return { message: found.message, own: found.entries.some((e) => own[e.key] === e.expected) };
}
