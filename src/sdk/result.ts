/**
 * Results: a flow's return value becomes its run's result, a task's its task run's. A value is
 * kept as JSON, so it must be JSON (plain objects, arrays, strings, finite numbers, booleans,
 * null; Dates and other values with toJSON as they serialise) and at most RESULT_MAX_BYTES.
 * A value that is not is still returned to its caller; only keeping it is refused, with why.
 */
import { overCapMessage, RESULT_MAX_BYTES } from "../core/results.ts";
import { sdkLog } from "./logger.ts";
import { callRunApi, getRunContext, isTracked } from "./run-context.ts";
import { maskSecrets } from "./run-values.ts";

/**
 * Strings of a value with the run's secrets masked. Why each string and not the JSON text: a
 * secret with a quote or a backslash is escaped in the text, and masking inside the text could
 * break the JSON.
 */
const masked = (_key: string, v: unknown) => (typeof v === "string" ? maskSecrets(v) : v);

/** A value checked for keeping: its JSON, or why it cannot be kept. */
export type Kept = { json: string } | { problem: string };

/** What a value is, in the words of a message. */
function kind(value: unknown): string {
  if (typeof value === "function") return "a function";
  if (typeof value === "bigint") return "a bigint (return it as a string)";
  if (typeof value === "symbol") return "a symbol";
  if (typeof value === "number") return `${value} (JSON has no such number)`;
  if (value instanceof Map) return "a Map (return Object.fromEntries(map) or [...map])";
  if (value instanceof Set) return "a Set (return [...set])";
  const name = (value as object).constructor?.name;
  return `an instance of ${name ?? "a class"} (return a plain object)`;
}

/** Where in a value the first thing JSON cannot hold is, and what it is; null when none. */
export function jsonProblem(value: unknown, path = "value"): string | null {
  const ancestors = new Set<object>();
  const walk = (v: unknown, at: string): string | null => {
    if (v === null || typeof v === "string" || typeof v === "boolean") return null;
    if (typeof v === "number") return Number.isFinite(v) ? null : `${at} is ${kind(v)}`;
    if (v === undefined) return null;
    if (typeof v !== "object") return `${at} is ${kind(v)}`;
    if (typeof (v as { toJSON?: unknown }).toJSON === "function") return null;
    if (ancestors.has(v)) return `${at} refers back to itself (a cycle)`;
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) {
      return `${at} is ${kind(v)}`;
    }
    ancestors.add(v);
    try {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const p = walk(v[i], `${at}[${i}]`);
          if (p) return p;
        }
      } else {
        for (const [k, item] of Object.entries(v)) {
          if (typeof item === "function") return `${at}.${k} is ${kind(item)}`;
          const p = walk(
            item,
            /^[A-Za-z_$][\w$]*$/.test(k) ? `${at}.${k}` : `${at}[${JSON.stringify(k)}]`,
          );
          if (p) return p;
        }
      }
    } finally {
      ancestors.delete(v);
    }
    return null;
  };
  return walk(value, path);
}

/**
 * Check `value` for keeping as `what` ("the flow's return value"): its JSON (the run's secrets
 * in it masked, as in its logs), or a message that says what is wrong and what to do.
 * `undefined` (a function that returns nothing) keeps null.
 */
export function checkResult(value: unknown, what: string): Kept {
  const problem = jsonProblem(value);
  if (problem) {
    return { problem: `${what} is not JSON: ${problem}; return JSON-serialisable data to keep it` };
  }
  const json = JSON.stringify(value ?? null, masked);
  const size = Buffer.byteLength(json);
  if (size > RESULT_MAX_BYTES) return { problem: overCapMessage(what, size) };
  return { json };
}

/**
 * A checked value as the fields of a task report: its result (a copy, so later changes by the
 * flow do not change what is sent), or why none is kept.
 */
export function resultFields(kept: Kept): { result?: unknown; result_problem?: string } {
  return "json" in kept ? { result: JSON.parse(kept.json) } : { result_problem: kept.problem };
}

/**
 * Keep a flow's return value as the result of run `runId` (default: this process's run). A value
 * that cannot be kept is told in the run's logs and recorded as why; the run goes on.
 */
export async function keepFlowResult(value: unknown, runId = getRunContext().runId): Promise<void> {
  if (!runId || !isTracked()) return;
  const kept = checkResult(value, "the flow's return value");
  if ("problem" in kept) sdkLog.warn(`result not kept: ${kept.problem}`);
  const body = "json" in kept ? { value: JSON.parse(kept.json) } : { problem: kept.problem };
  try {
    await callRunApi("POST", `/api/runs/${encodeURIComponent(runId)}/result`, body);
  } catch (error) {
    sdkLog.warn(`the flow's result was not kept: ${(error as Error).message}`);
  }
}
