/**
 * What a task run records of its call besides its result: which attempt of its flow run it
 * belongs to and a hash of its inputs, so a retry from the failure can tell a task called with
 * the same inputs (whose kept result it may reuse) from one whose inputs changed.
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

/** The fields a task run's reports carry about its call (none outside a tracked run). */
export function taskCallFields(
  inputs: unknown[],
  tracked: boolean,
): { run_attempt?: number; inputs_hash?: string } {
  if (!tracked) return {};
  const hash = inputsHash(inputs);
  return { run_attempt: getRunContext().attempt, ...(hash ? { inputs_hash: hash } : {}) };
}
