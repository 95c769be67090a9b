import { parseDuration } from "../core/index.ts";

/** A key path inside the definition file's value: `["deployments", 0, "schedules", 1]`. */
export type Path = (string | number)[];
/** One mapping of the file, as the YAML parser gives it. */
export type Item = Record<string, unknown>;
/** Records a problem at `path` (or at `key` inside it). */
export type Report = (path: Path, message: string, key?: string) => void;

/** Whether the value is a mapping (not null, not a list). */
export function isObject(value: unknown): value is Item {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A duration given in a definition, in milliseconds (undefined when left out). */
export function duration(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  // A malformed duration is reported by the schema check; this only converts.
  return parseDuration(value as string | number);
}
