import { parseDuration, type RetentionKeep, type RetentionSpec } from "../core/index.ts";
import { isObject, type Path, type Report } from "./definition-values.ts";

/**
 * A `retention:` mapping (its shape already checked against the schema) as a spec: a duration
 * keeps what ended within it, a whole number keeps the newest so many. Undefined when absent.
 */
export function buildRetention(
  raw: unknown,
  path: Path,
  report: Report,
): RetentionSpec | undefined {
  if (!isObject(raw)) return undefined;
  const spec: RetentionSpec = {};
  for (const key of ["runs", "logs", "events"] as const) {
    const value = raw[key];
    let keep: RetentionKeep | undefined;
    if (typeof value === "number" && Number.isInteger(value) && value >= 1) keep = { count: value };
    else if (typeof value === "string") {
      const ms = parseDuration(value);
      if (ms === 0)
        report([...path, key], "must be longer than 0 (leave it out to keep everything)");
      else if (ms !== undefined) keep = { max_age_ms: ms };
    }
    if (keep) spec[key] = keep;
  }
  return spec;
}
