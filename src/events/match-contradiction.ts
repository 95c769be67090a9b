import { matchesValue } from "./match-event.ts";

/** One field a trigger's event must have, and where it was written ("the trigger's match"). */
export interface MatchEntry {
  key: string;
  expected: string | readonly string[];
  where: string;
}

/**
 * The field a match key reads (as eventValue reads it): `payload.x` and `x` are one field,
 * `resource.id` is `resource`, `name` is the event's name.
 */
function fieldOf(key: string): string {
  if (key === "resource" || key === "resource.id") return "\0resource";
  if (key === "name" || key === "id") return `\0${key}`;
  return key.replace(/^payload\./, "");
}

const patternsOf = (expected: string | readonly string[]): readonly string[] =>
  typeof expected === "string" ? [expected] : expected;

/** The only values an entry allows, when it names them all (no wildcard, no negation). */
function literalValues(entry: MatchEntry): string[] | null {
  const patterns = patternsOf(entry.expected);
  if (!patterns.length || patterns.some((p) => p.startsWith("!") || p.includes("*"))) return null;
  return patterns.map((p) => p.replace(/^\\!/, "!"));
}

/** Whether some value of one field holds for every entry (checked where one lists its values). */
function satisfiable(entries: MatchEntry[]): boolean {
  for (const entry of entries) {
    const values = literalValues(entry);
    if (values) return values.some((v) => entries.every((e) => matchesValue(e.expected, v)));
  }
  return true;
}

/** An entry in words: `the trigger's match asks deployment "etl"`. */
function describe(e: MatchEntry): string {
  const patterns = patternsOf(e.expected)
    .map((p) => JSON.stringify(p))
    .join(" or ");
  return e.where === ON ? `its event is ${patterns}` : `${e.where} asks ${e.key} ${patterns}`;
}

/** The entry that stands for the event's name, `on`. */
const ON = "its on";

/**
 * Why no event can ever match an event reference of a trigger (its name `on` and the entries
 * of its match, the trigger's and its own), with the entries at odds, or null when one can. A key of the event's own
 * match replaces the trigger's same key; but `payload.x` and `x` (or `resource.id` and
 * `resource`, or `name` and `on`) are one field asked twice, and asked two ways that no value
 * satisfies, the trigger would wait for ever.
 */
export function matchContradiction(
  on: string,
  entries: MatchEntry[],
): { message: string; entries: MatchEntry[] } | null {
  const fields = new Map<string, MatchEntry[]>([
    ["\0name", [{ key: "name", expected: on, where: ON }]],
  ]);
  for (const entry of entries) {
    const field = fieldOf(entry.key);
    fields.set(field, [...(fields.get(field) ?? []), entry]);
  }
  for (const list of fields.values()) {
    if (list.length < 2 || satisfiable(list)) continue;
    return {
      message: `can never match: ${list.map(describe).join(", and ")}; that is one field of the event, and no value is both${list.some((e) => e.where === ON) ? "" : " (write the field one way: an event's own match replaces the trigger's for the same key)"}`,
      entries: list,
    };
  }
  return null;
}
