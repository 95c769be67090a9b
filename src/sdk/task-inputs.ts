/**
 * What a task run records of its call besides its result: which attempt of its flow run it
 * belongs to, a hash of its inputs and a hash of its task's source, so a retry from the failure
 * (or a resume) can tell a task called with the same inputs and the same code (whose kept result
 * it may reuse) from one whose inputs or code changed.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../core/stable-json.ts";
import { getRunContext } from "./run-context.ts";

/**
 * The hash of a task call's inputs (its arguments as JSON, keys sorted), or null when they are
 * not JSON (a function, a class instance): such a call is never taken for another.
 */
export function inputsHash(inputs: unknown[]): string | null {
  const json = canonicalJson(inputs);
  return json === null ? null : createHash("sha256").update(json).digest("hex");
}

/**
 * The hash of a task's code: the source text of its function, as the cache's default key has it.
 * Why the function alone and not its file: a fix in one task of a flow file must not make every
 * other task of the file run again; a helper the function calls is not part of it (README says
 * so: a fix there needs a plain retry).
 */
export function sourceHash(fn: (...args: never[]) => unknown): string {
  return createHash("sha256").update(fn.toString()).digest("hex").slice(0, 32);
}

/** The fields a task run's reports carry about its call (none outside a tracked run). */
export function taskCallFields(
  inputs: unknown[],
  source: string,
  tracked: boolean,
): { run_attempt?: number; inputs_hash?: string; source_hash?: string } {
  if (!tracked) return {};
  const hash = inputsHash(inputs);
  return {
    run_attempt: getRunContext().attempt,
    ...(hash ? { inputs_hash: hash } : {}),
    source_hash: source,
  };
}
