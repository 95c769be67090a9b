import { escapeControlChars } from "./escape-control.ts";

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PARAMETER = /^parameters((?:\.[\w-]+)+)$/;

/** The longest run name kept; a longer one is cut. */
export const MAX_RUN_NAME = 200;

/** What is wrong with a `run_name` template, or null: only `{{ parameters.x }}` may be filled. */
export function runNameProblem(template: string): string | null {
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (!PARAMETER.test(m[1]!)) {
      return `{{ ${m[1]} }} cannot be filled: a run name takes {{ parameters.name }} placeholders only`;
    }
  }
  return null;
}

/**
 * A run's name from a `run_name` template (`etl-{{ parameters.day }}`): strings go in as they
 * are, other values as JSON, a parameter the run lacks as nothing.
 */
export function renderRunName(template: string, parameters: Record<string, unknown>): string {
  const name = template.replace(PLACEHOLDER, (whole, path: string) => {
    const m = PARAMETER.exec(path);
    if (!m) return whole;
    let value: unknown = parameters;
    for (const key of m[1]!.slice(1).split(".")) {
      value =
        value !== null && typeof value === "object" && Object.hasOwn(value, key)
          ? (value as Record<string, unknown>)[key]
          : undefined;
    }
    if (value === undefined || value === null) return "";
    return typeof value === "string" ? value : JSON.stringify(value);
  });
  // A name is shown in tables and the monitor: a parameter's control characters go in as text.
  return escapeControlChars(name).slice(0, MAX_RUN_NAME);
}
