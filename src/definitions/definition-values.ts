import { parseDuration } from "../core/index.ts";

/** Where a definition file is: its project root and its own path. */
export interface ParseContext {
  /** The project root (absolute). */
  root: string;
  /** The definition file (absolute). */
  path: string;
}

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
  // A malformed duration (or a value of another type) is reported by the schema check; this
  // only converts.
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  return parseDuration(value);
}
